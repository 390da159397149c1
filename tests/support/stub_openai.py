"""A tiny OpenAI-compatible chat completions server for tests: scripted replies, recorded
requests, usage computed with the readers' own token estimator."""

from __future__ import annotations

import io
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image

from palm.llm import estimate_input_tokens, estimate_text_tokens

ALL_LINES = ("heart", "head", "life", "fate", "sun", "mercury")
#: What a streamed (chat) answer says unless a step scripts another.
STREAM_REPLY = (
    "Your heart line sweeps warmly across the palm. It speaks of an open, generous heart."
)


def _word_pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [word if index == 0 else " " + word for index, word in enumerate(words)]


def valid_content(
    overall: str = "A bright, balanced palm full of promise.", confidence: float = 0.9
) -> str:
    """A reply the reader accepts: a text for every line name."""
    per_line = {name: f"Your {name} line reads warmly and with character." for name in ALL_LINES}
    return json.dumps({"per_line": per_line, "overall": overall, "confidence": confidence})


@dataclass
class Step:
    """One scripted answer: a status, a message content, extra headers, or a hang."""

    status: int = 200
    content: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False
    cached_tokens: int = 0
    #: Streaming only: the content pieces to send (default: the content, word by word), and
    #: after how many pieces an error event interrupts the stream.
    chunks: list[str] | None = None
    error_after: int | None = None


class StubOpenAI:
    """Serves POST /v1/chat/completions from a script; unscripted requests get a valid reply."""

    def __init__(self) -> None:
        self.script: deque[Step] = deque()
        self.requests: list[dict[str, Any]] = []
        self.usages: list[dict[str, int]] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.stub = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def then(self, *steps: Step) -> StubOpenAI:
        self.script.extend(steps)
        return self

    def next_step(self, body: dict[str, Any]) -> Step:
        with self.lock:
            self.requests.append(body)
            return self.script.popleft() if self.script else Step()

    def usage_for(self, body: dict[str, Any], content: str) -> dict[str, int]:
        usage = {
            "prompt_tokens": estimate_input_tokens(body.get("messages", [])),
            "completion_tokens": estimate_text_tokens(content),
        }
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        self.usages.append(usage)
        return usage

    def stream_events(self, body: dict[str, Any], step: Step) -> list[dict[str, Any]]:
        """The SSE payloads of a streamed answer (``stream=True``), usage last if asked for."""
        content = STREAM_REPLY if step.content is None else step.content
        pieces = step.chunks if step.chunks is not None else _word_pieces(content)
        base = {"id": "chatcmpl-stream", "object": "chat.completion.chunk", "created": 0}
        base["model"] = body.get("model", "")
        events: list[dict[str, Any]] = []
        for index, piece in enumerate(pieces):
            if step.error_after is not None and index == step.error_after:
                return [*events, {"error": {"message": "scripted mid-stream failure"}}]
            delta = {"content": piece, **({"role": "assistant"} if index == 0 else {})}
            choice = {"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}
            events.append({**base, "choices": [choice]})
        stop = {"index": 0, "delta": {}, "finish_reason": "stop", "logprobs": None}
        events.append({**base, "choices": [stop]})
        usage = self.usage_for(body, "".join(pieces))
        if (body.get("stream_options") or {}).get("include_usage"):
            details = {"cached_tokens": step.cached_tokens}
            events.append(
                {**base, "choices": [], "usage": {**usage, "prompt_tokens_details": details}}
            )
        return events

    def completion(self, body: dict[str, Any], step: Step) -> dict[str, Any]:
        content = valid_content() if step.content is None else step.content
        usage = self.usage_for(body, content)
        return {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 0,
            "model": body.get("model", ""),
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "logprobs": None,
                    "message": {"role": "assistant", "content": content},
                }
            ],
            "usage": {**usage, "prompt_tokens_details": {"cached_tokens": step.cached_tokens}},
        }


class _Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows failures, not access logs."""

    def do_POST(self) -> None:
        stub: StubOpenAI = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("content-length", 0))
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path != "/v1/chat/completions":
            self._send(404, {"error": {"message": "not found"}})
            return
        step = stub.next_step(body)
        if step.hang:
            stub.release.wait(timeout=30)
            return
        if step.status != 200:
            error = {"error": {"message": f"scripted {step.status}", "type": "stub"}}
            self._send(step.status, error, step.headers)
            return
        if body.get("stream"):
            self._send_stream(stub.stream_events(body, step))
            return
        self._send(200, stub.completion(body, step), step.headers)

    def _send_stream(self, events: list[dict[str, Any]]) -> None:
        """Server-sent events, then [DONE] (unless an error event ended the stream)."""
        try:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.end_headers()
            for event in events:
                self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
            if not (events and "error" in events[-1]):
                self.wfile.write(b"data: [DONE]\n\n")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def sample_jpeg(width: int, height: int) -> bytes:
    """A synthetic photo-sized JPEG (a gradient), big enough that downscaling matters."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()
