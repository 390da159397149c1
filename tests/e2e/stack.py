"""Start the real stack (`python -m palm serve`) on test ports and wait until it is ready."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import redis
from rq import Worker

from palm.infra.embedded_redis import free_port
from palm.settings import PROJECT_ROOT


@dataclass
class RunningStack:
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    api_port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def descendants(self) -> list[psutil.Process]:
        children: list[psutil.Process] = psutil.Process(self.process.pid).children(recursive=True)
        return children

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _workers_registered(redis_url: str | None, expected: int) -> bool:
    if redis_url is None:
        return True
    with redis.Redis.from_url(redis_url) as client:
        return len(Worker.all(connection=client)) >= expected


def wait_until(condition: object, timeout: float, what: str, stack: RunningStack) -> None:
    """Poll a readiness condition; fail with the stack's output if it never holds."""
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if stack.process.poll() is not None:
            raise AssertionError(f"launcher exited ({stack.process.returncode}):\n{stack.output()}")
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not ready after {timeout} s:\n{stack.output()}")
        time.sleep(0.2)


def launch(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as handle:
        return subprocess.Popen(
            [sys.executable, "-m", "palm", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


@contextmanager
def running_stack(
    env: dict[str, str], tmp_path: Path, workers: int = 1, unset: tuple[str, ...] = ()
) -> Iterator[RunningStack]:
    port, api_port = free_port(), free_port()
    full_env = {
        **os.environ,
        "PALM_API": "off",  # the stack's API child only where a test asks for it
        **env,
        "PALM_PORT": str(port),
        "PALM_API_PORT": str(api_port),
        "PALM_WORKERS": str(workers),
    }
    for key in unset:
        full_env.pop(key, None)
    log = tmp_path / "serve.log"
    stack = RunningStack(process=launch(full_env, log), port=port, log=log, api_port=api_port)
    try:
        wait_until(lambda: _healthy(stack.url), 90, "streamlit", stack)
        wait_until(lambda: _workers_registered(env.get("REDIS_URL"), workers), 60, "workers", stack)
        yield stack
    finally:
        if stack.process.poll() is None:
            stack.process.send_signal(signal.SIGINT)
            try:
                stack.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(stack.process.pid, signal.SIGKILL)
                stack.process.wait()
