"""A real worker logs each job's end as one JSON line: job id, kind, queue, the person's
pseudonym (never the e-mail), outcome and duration."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.jobs import Queues
from palm.ops import submit_ping
from tests.support.jobs import policy
from tests.workers.burst import run_burst_worker


def test_each_job_ends_with_a_json_log_line(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
    make_account: Callable[..., int],
) -> None:
    user_id = make_account("ana@example.com")
    rq_id = submit_ping(session_factory, Queues(redis_client), policy(), user_id)
    result = run_burst_worker(redis_url, db_url, tmp_path / "data")
    assert result.returncode == 0, result.stderr
    entries = []
    for line in result.stderr.splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))  # every structured line is whole JSON
    [ended] = [e for e in entries if e.get("job_id") == rq_id]
    assert ended["event"] == "job ping finished" and ended["outcome"] == "finished"
    assert ended["kind"] == "ping" and ended["queue"] == "default" and ended["action"] == "job"
    assert ended["user"].startswith("u-") and "ana" not in json.dumps(ended)
    assert ended["duration_ms"] >= 0
    assert any(e["logger"].startswith("rq.") for e in entries)  # RQ's own lines, as JSON too
