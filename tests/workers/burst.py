"""Run a real `rq worker --burst`: it drains the queues and exits, so tests need no sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from palm.jobs import QUEUE_NAMES
from palm.settings import PROJECT_ROOT

RQ = Path(sys.executable).with_name("rq")


def worker_env(
    redis_url: str, db_url: str, data_dir: Path, *, keep_llm_env: bool
) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(data_dir),
    }
    if not keep_llm_env:
        for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            env.pop(key, None)
    return env


def run_burst_worker(
    redis_url: str,
    db_url: str,
    data_dir: Path,
    *,
    keep_llm_env: bool = False,
    worker_class: str = "workers.worker.PalmWorker",
) -> subprocess.CompletedProcess[str]:
    """Drain the queues once; the LLM variables are dropped unless a test sets them on purpose."""
    env = worker_env(redis_url, db_url, data_dir, keep_llm_env=keep_llm_env)
    command = [
        str(RQ),
        "worker",
        "--burst",
        "--url",
        redis_url,
        "--path",
        str(PROJECT_ROOT),
        "--worker-class",
        worker_class,
        *QUEUE_NAMES,
    ]
    return subprocess.run(
        command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False
    )


def start_worker(
    redis_url: str, db_url: str, data_dir: Path, *, name: str, maintenance_interval: int = 600
) -> subprocess.Popen[bytes]:
    """A long-running PalmWorker (as the launcher runs it); the caller stops or kills it."""
    command = [
        str(RQ),
        "worker",
        "--url",
        redis_url,
        "--name",
        name,
        "--maintenance-interval",
        str(maintenance_interval),
        "--path",
        str(PROJECT_ROOT),
        "--worker-class",
        "workers.worker.PalmWorker",
        *QUEUE_NAMES,
    ]
    env = worker_env(redis_url, db_url, data_dir, keep_llm_env=False)
    return subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
