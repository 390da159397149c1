"""`python -m palm serve`: migrations, Redis (embedded unless REDIS_URL), the scheduler,
workers and Streamlit, kept running by palm.supervisor until Ctrl-C or SIGTERM.

Every child runs with PR_SET_PDEATHSIG so it dies with the launcher even if the launcher is
killed outright; on Ctrl-C/SIGTERM the launcher stops them all and waits for them.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from palm.infra import check_reachable, load_cipher, start_embedded_redis
from palm.jobs import QUEUE_NAMES
from palm.migrate import upgrade_to_head
from palm.ops import reconcile
from palm.runtime import Runtime
from palm.settings import PRIVATE_UMASK, PROJECT_ROOT, Settings, private_dir, private_tree
from palm.supervisor import Child, Supervisor

MAINTENANCE_INTERVAL = 15  # seconds between workers' sweeps for jobs whose heartbeat lapsed


def worker_name(index: int, generation: int) -> str:
    """Unique per start: RQ refuses a name whose key is still alive (a killed worker's is)."""
    return f"palm-{socket.gethostname()}-{os.getpid()}-{index}.{generation}"


def worker_command(redis_url: str, name: str) -> list[str]:
    """A stock `rq worker` (so `rq info` sees it) with our worker class; no scheduler of its
    own (a SIGKILLed worker would orphan it): workers.scheduler runs beside the workers."""
    rq = Path(sys.executable).with_name("rq")
    return [
        str(rq),
        "worker",
        "--url",
        redis_url,
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


def scheduler_command(redis_url: str) -> list[str]:
    return [sys.executable, "-m", "workers.scheduler", "--url", redis_url]


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


def api_command() -> list[str]:
    """The REST API as its own child (`python -m palm api`), on PALM_API_PORT."""
    return [sys.executable, "-m", "palm", "api"]


def child_env(database_url: str, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "PYTHONPATH": str(PROJECT_ROOT),
        # MediaPipe's C++ logging (TensorFlow Lite, absl) is noise in the terminal by default
        "GLOG_minloglevel": os.environ.get("GLOG_minloglevel", "2"),  # noqa: SIM112 (its name)
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
    }


def prepare(settings: Settings, say: Callable[[str], None]) -> Supervisor:
    """Keys, migrations and Redis; returns a supervisor with no children yet.

    The data directory is tightened first (0700, files 0600), also what older versions wrote.
    """
    private_tree(private_dir(settings.palm_data_dir))
    cipher = load_cipher(settings)
    say("applying database migrations")
    upgrade_to_head(settings.resolved_database_url, cipher)
    embedded = None
    if settings.redis_url:
        check_reachable(settings.redis_url)
        redis_url = settings.redis_url
    else:
        embedded = start_embedded_redis(settings.palm_data_dir / "redis")
        redis_url = embedded.url
        say(f"embedded Redis at {redis_url} (data in {embedded.data_dir})")
    runtime = Runtime(settings.model_copy(update={"redis_url": redis_url}))
    assert runtime.queues is not None
    found = reconcile(runtime.session_factory, runtime.queues, runtime.settings)
    if found.requeued or found.failed or found.settled:
        say(
            f"jobs lost from Redis: {len(found.requeued)} enqueued again, "
            f"{len(found.failed)} failed; {len(found.settled)} rows brought up to date"
        )
    return Supervisor(redis_url=redis_url, queues=runtime.queues, say=say, redis=embedded)


def add_children(supervisor: Supervisor, settings: Settings) -> None:
    url = supervisor.redis_url
    env = child_env(settings.resolved_database_url, url)
    supervisor.add(Child("scheduler", lambda _g: scheduler_command(url), env))
    for index in range(settings.palm_workers):
        supervisor.add(worker_child(url, index, env))
    port = settings.palm_port
    supervisor.add(Child("streamlit", lambda _g: streamlit_command(port), env))
    if settings.palm_api == "on":
        supervisor.add(Child("api", lambda _g: api_command(), env))


def worker_child(redis_url: str, index: int, env: dict[str, str]) -> Child:
    name = partial(worker_name, index)  # name(generation)
    return Child(
        f"worker-{index}", lambda generation: worker_command(redis_url, name(generation)), env, name
    )


def serve(settings: Settings, say: Callable[[str], None] = print) -> int:
    """Run everything until Ctrl-C or SIGTERM; a child that dies is started again."""
    stopping = False

    def request_stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    os.umask(PRIVATE_UMASK)  # every file the stack writes (workers and app inherit it) is 0600
    supervisor = prepare(settings, say)
    try:
        add_children(supervisor, settings)
        say(f"Palmline is at http://localhost:{settings.palm_port}  (Ctrl-C stops everything)")
        if settings.palm_api == "on":
            say(f"its API is at http://localhost:{settings.palm_api_port}/api/v1/docs")
        while not stopping:
            supervisor.tick()
            time.sleep(0.5)
        return 0
    finally:
        say("stopping")
        supervisor.stop()
