"""/api/v1/conversations: chat threads about one's readings — list, create, messages, ask
(the answer returned, or streamed as Server-Sent Events), export — through palm.chat as the
Chat page does (the question is stored before it is answered; the same memory and limits)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from palm import chat
from palm.api.deps import AddressDep, Reader, RuntimeDep, Writer
from palm.api.events import EVENT_STREAM, SSE_RESPONSE
from palm.api.problems import ApiError, responses
from palm.api.readings import PREFIX
from palm.db import transaction
from palm.runtime import Runtime

router = APIRouter(prefix=PREFIX, tags=["chat"])
ThreadId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MEDIA = {"md": "text/markdown", "json": "application/json", "pdf": "application/pdf"}
FILES = {
    "description": "The thread as Markdown, JSON or PDF",
    "content": {media: {"schema": {"type": "string"}} for media in MEDIA.values()},
}


class NewThread(BaseModel):
    reading_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    title: str | None = Field(default=None, max_length=120)


class Question(BaseModel):
    text: str = Field(min_length=1, max_length=4000, examples=["What does my heart line say?"])


def _thread(rt: Runtime, user_id: int, thread_id: int) -> chat.ThreadRow:
    with transaction(rt.session_factory) as session:
        for archived in (False, True):
            for row in chat.list_threads(session, rt.cipher, user_id, archived=archived):
                if row.id == thread_id:
                    return row
    raise chat.ConversationNotFoundError()


@router.get("/conversations", summary="My chat threads")
def list_conversations(
    owner: Reader, rt: RuntimeDep, archived: bool = False
) -> list[chat.ThreadRow]:
    with transaction(rt.session_factory) as session:
        return chat.list_threads(session, rt.cipher, owner.user_id, archived=archived)


@router.post("/conversations", status_code=201, summary="Start a thread", responses=responses(404))
def create_conversation(owner: Writer, rt: RuntimeDep, body: NewThread) -> chat.ThreadRow:
    """About one of your readings, or none."""
    with transaction(rt.session_factory) as session:
        created = chat.create_conversation(
            session, rt.cipher, owner.user_id, reading_id=body.reading_id, title=body.title
        )
        thread_id = created.id
    return _thread(rt, owner.user_id, thread_id)


@router.get(
    "/conversations/{thread_id}/messages", summary="A thread's messages", responses=responses(404)
)
def list_messages(owner: Reader, rt: RuntimeDep, thread_id: ThreadId) -> list[chat.MessageView]:
    with transaction(rt.session_factory) as session:
        return chat.messages_of(session, rt.cipher, owner.user_id, thread_id)


def _start(rt: Runtime, user_id: int, thread_id: int, text: str) -> chat.TurnPlan:
    with transaction(rt.session_factory) as session:
        return chat.start_turn(
            session,
            rt.cipher,
            user_id,
            thread_id,
            text,
            config=rt.chat_memory,
            limiter=rt.chat_limiter,
            per_minute=rt.settings.palm_chat_messages_per_minute,
        )


def _finish(rt: Runtime, plan: chat.TurnPlan, answer: chat.Answer) -> chat.MessageView:
    with transaction(rt.session_factory) as session:
        return chat.finish_turn(session, rt.cipher, plan, answer)


def _streamed(rt: Runtime, plan: chat.TurnPlan) -> Iterator[str]:
    stream = chat.AnswerStream(plan, rt.chat_llm)
    for piece in stream:
        yield f"event: delta\ndata: {json.dumps({'text': piece})}\n\n"
    if stream.answer is not None:
        message = _finish(rt, plan, stream.answer)
        body = json.dumps(vars(message), default=str)
        yield f"id: {message.id}\nevent: end\ndata: {body}\n\n"


@router.post(
    "/conversations/{thread_id}/messages",
    summary="Ask the reader (the answer, or its pieces as SSE)",
    response_model=chat.MessageView,
    responses={**SSE_RESPONSE, **responses(404, 429)},
)
def ask(
    owner: Writer,
    rt: RuntimeDep,
    thread_id: ThreadId,
    body: Question,
    stream: Annotated[bool, Query(description="stream the answer as SSE")] = False,
) -> chat.MessageView | StreamingResponse:
    """Your question is stored first; the answer follows (``delta`` events, then ``end``
    with the stored answer, when ``stream=true``)."""
    plan = _start(rt, owner.user_id, thread_id, body.text)
    if stream:
        return StreamingResponse(_streamed(rt, plan), media_type=EVENT_STREAM)
    answering = chat.AnswerStream(plan, rt.chat_llm)
    for _ in answering:
        pass
    if answering.answer is None:
        raise ApiError("SERVICE_UNAVAILABLE", "The reader could not answer; ask again.")
    return _finish(rt, plan, answering.answer)


@router.get(
    "/conversations/{thread_id}/export",
    summary="Export a thread",
    response_class=Response,
    responses={200: FILES, **responses(404, 429)},
)
def export(
    owner: Reader,
    rt: RuntimeDep,
    address: AddressDep,
    thread_id: ThreadId,
    format: Literal["md", "json", "pdf"] = "md",
) -> Response:
    _thread(rt, owner.user_id, thread_id)  # anyone else's thread is not found
    data = chat.export_file(
        rt.session_factory,
        rt.cipher,
        rt.blob_store,
        owner.user_id,
        thread_id,
        format,
        rate=rt.export_limits,
        address=address,
    )
    return Response(data, media_type=MEDIA[format])
