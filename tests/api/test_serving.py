"""`python -m palm serve` starts the API beside Streamlit on PALM_API_PORT and starts it
again when it dies; PALM_API=off leaves it out; `python -m palm api` runs it alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any, cast

import psutil
import pytest

from palm.infra import free_port
from palm.launcher import add_children
from palm.settings import PROJECT_ROOT, Settings
from palm.supervisor import Child, Supervisor
from tests.e2e.stack import RunningStack, running_stack, wait_until


def schema(port: int) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=1) as r:
            return cast(dict[str, Any], json.load(r))
    except OSError:
        return None


def api_child(stack: RunningStack) -> psutil.Process | None:
    for child in psutil.Process(stack.process.pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and child.cmdline()[-2:] == ["palm", "api"]:
                return child
        except psutil.Error:
            continue
    return None


class Recorder:
    """Stands in for the supervisor: which children would start."""

    redis_url = "redis://127.0.0.1:1/0"

    def __init__(self) -> None:
        self.names: list[str] = []

    def add(self, child: Child) -> None:
        self.names.append(child.name)


@pytest.mark.parametrize(("setting", "expected"), [("on", True), ("off", False)])
def test_palm_api_setting_decides_whether_serve_starts_it(setting: str, expected: bool) -> None:
    recorder = Recorder()
    add_children(cast(Supervisor, recorder), Settings(palm_api=setting, palm_workers=0))
    assert ("api" in recorder.names) is expected


@pytest.mark.slow
def test_serve_runs_the_api_and_restarts_it_when_it_dies(
    db_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(tmp_path / "data"),
        "PALM_API": "on",
    }
    with running_stack(env, tmp_path, workers=0) as stack:
        wait_until(lambda: schema(stack.api_port) is not None, 60, "the API", stack)
        first = api_child(stack)
        assert first is not None
        first.kill()
        wait_until(
            lambda: (child := api_child(stack)) is not None and child.pid != first.pid,
            30,
            "a restarted API",
            stack,
        )
        wait_until(lambda: schema(stack.api_port) is not None, 60, "the API again", stack)


@pytest.mark.slow
def test_palm_api_runs_the_api_alone(db_url: str, redis_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(tmp_path / "data"),
        "PALM_API_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "palm", "api"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        stack = RunningStack(process=process, port=0, log=tmp_path / "none.log")
        stack.log.write_text("")
        wait_until(lambda: schema(port) is not None, 60, "the API", stack)
        assert schema(port) == schema(port)  # the same document every time
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
