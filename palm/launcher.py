"""`python -m palm serve`: migrations, Redis (embedded unless REDIS_URL), workers, Streamlit.

Every child runs with PR_SET_PDEATHSIG so it dies with the launcher even if the launcher is
killed outright; on Ctrl-C/SIGTERM the launcher stops them all and waits for them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from palm.infra import (
    EmbeddedRedis,
    check_reachable,
    die_with_parent,
    load_cipher,
    start_embedded_redis,
)
from palm.jobs import QUEUE_NAMES
from palm.migrate import upgrade_to_head
from palm.settings import PRIVATE_UMASK, PROJECT_ROOT, Settings, private_dir, private_tree

MAINTENANCE_INTERVAL = 30  # seconds between workers' sweeps for jobs of dead workers
WORKER_RESTARTS_PER_MINUTE = 5


def worker_command(redis_url: str, index: int) -> list[str]:
    """A stock `rq worker` (so `rq info` sees it) with our worker class and the scheduler."""
    rq = Path(sys.executable).with_name("rq")
    name = f"palm-{socket.gethostname()}-{os.getpid()}-{index}"
    return [
        str(rq),
        "worker",
        "--url",
        redis_url,
        "--with-scheduler",
        "--maintenance-interval",
        str(MAINTENANCE_INTERVAL),
        "--name",
        name,
        "--worker-class",
        "workers.worker.PalmWorker",
        "--path",
        str(PROJECT_ROOT),
        *QUEUE_NAMES,
    ]


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(PROJECT_ROOT / "web.py"),
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]


@dataclass
class Child:
    """A started process and how to start it again."""

    name: str
    command: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes]
    restartable: bool
    restarts: deque[float] = field(default_factory=deque)


def _popen(command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdin=subprocess.DEVNULL, preexec_fn=die_with_parent
    )


@dataclass
class Stack:
    """The processes the launcher started, in start order."""

    redis: EmbeddedRedis | None = None
    children: list[Child] = field(default_factory=list)

    def spawn(
        self, name: str, command: Sequence[str], env: dict[str, str], *, restartable: bool = False
    ) -> None:
        self.children.append(
            Child(name, list(command), env, _popen(list(command), env), restartable)
        )

    def first_exited(self) -> Child | None:
        return next((child for child in self.children if child.process.poll() is not None), None)

    def redis_exited(self) -> bool:
        return self.redis is not None and self.redis.process.poll() is not None

    def restart(self, child: Child) -> bool:
        """Start a dead worker again, unless it keeps dying (then give up)."""
        now = time.monotonic()
        while child.restarts and now - child.restarts[0] > 60:
            child.restarts.popleft()
        if not child.restartable or len(child.restarts) >= WORKER_RESTARTS_PER_MINUTE:
            return False
        child.restarts.append(now)
        child.process = _popen(child.command, child.env)
        return True

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the app and workers first (they use Redis), then Redis."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for child in self.children:
            try:
                child.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        if self.redis is not None:
            self.redis.stop()


def prepare(settings: Settings, say: Callable[[str], None]) -> tuple[Stack, dict[str, str]]:
    """Keys, migrations and Redis; returns the stack so far and the children's environment.

    The data directory is tightened first (0700, files 0600), also what older versions wrote.
    """
    private_tree(private_dir(settings.palm_data_dir))
    cipher = load_cipher(settings)
    database_url = settings.resolved_database_url
    say("applying database migrations")
    upgrade_to_head(database_url, cipher)
    stack = Stack()
    if settings.redis_url:
        check_reachable(settings.redis_url)
        redis_url = settings.redis_url
    else:
        stack.redis = start_embedded_redis(settings.palm_data_dir / "redis")
        redis_url = stack.redis.url
        say(f"embedded Redis at {redis_url} (data in {stack.redis.data_dir})")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        # MediaPipe's C++ logging (TensorFlow Lite, absl) is noise in the terminal by default
        "GLOG_minloglevel": os.environ.get("GLOG_minloglevel", "2"),  # noqa: SIM112 (its name)
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
    }
    return stack, env


def serve(settings: Settings, say: Callable[[str], None] = print) -> int:
    """Run everything until Ctrl-C or until one process exits; returns the exit code."""
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    os.umask(PRIVATE_UMASK)  # every file the stack writes (workers and app inherit it) is 0600
    stack, env = prepare(settings, say)
    try:
        for index in range(settings.palm_workers):
            command = worker_command(env["REDIS_URL"], index)
            stack.spawn(f"worker-{index}", command, env, restartable=True)
        stack.spawn("streamlit", streamlit_command(settings.palm_port), env)
        say(f"Palmline is at http://localhost:{settings.palm_port}  (Ctrl-C stops everything)")
        while not stopping:
            if stack.redis_exited():
                say("the embedded Redis exited; stopping everything")
                return 1
            exited = stack.first_exited()
            if exited is not None and not stopping:
                code = exited.process.returncode
                if stack.restart(exited):
                    say(f"{exited.name} exited with code {code}; restarted it")
                    continue
                say(f"{exited.name} exited with code {code}; stopping everything")
                return code or 1
            time.sleep(0.5)
        return 0
    finally:
        say("stopping")
        stack.stop()
