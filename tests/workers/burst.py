"""Run a real `rq worker --burst`: it drains the queues and exits, so tests need no sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from palm.jobs import QUEUE_NAMES
from palm.settings import PROJECT_ROOT

RQ = Path(sys.executable).with_name("rq")


def run_burst_worker(
    redis_url: str,
    db_url: str,
    data_dir: Path,
    *,
    keep_llm_env: bool = False,
    worker_class: str = "workers.worker.PalmWorker",
) -> subprocess.CompletedProcess[str]:
    """Drain the queues once; the LLM variables are dropped unless a test sets them on purpose."""
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(data_dir),
    }
    if not keep_llm_env:
        for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
            env.pop(key, None)
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
