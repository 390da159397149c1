"""The embedded Redis dies (SIGKILL): the launcher starts it again on its port and data, and
the jobs that were queued are still there (append-only file) and complete."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from rq import Queue

from palm.jobs import ANALYSIS_QUEUE
from palm.vocabulary import ReadingStatus
from tests.faults.drill import drill, wait_until

PHOTOS = 30


def test_a_killed_embedded_redis_comes_back_with_its_queued_jobs(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    env = {"DATABASE_URL": db_url, "PALM_DATA_DIR": str(tmp_path / "data")}
    with drill(env, tmp_path, workers=1) as d:
        ids = d.watched = d.submit(PHOTOS)
        wait_until(lambda: d.count(ids)[ReadingStatus.DONE] >= 1, 90, "a first reading", d)
        queued = len(Queue(ANALYSIS_QUEUE, connection=d.redis))
        assert queued > 0, "the drill needs jobs still waiting"
        server = next(p for p in d.stack.descendants() if "redis-server" in p.name())
        server.send_signal(signal.SIGKILL)
        killed = time.monotonic()

        wait_until(lambda: d.settled(ids), 180, "every reading settled", d)
        d.figures["kill_to_all_done_s"] = round(time.monotonic() - killed, 1)
        d.all_done(ids)
        assert d.said("the embedded Redis exited")
        assert not d.said("jobs lost from Redis")  # none had to be rebuilt from the table
        assert not [j for j in d.jobs(ids) if j.error_code == "JOB_LOST"]
        d.figures.update(readings=PHOTOS, queued_at_kill=queued, lost=0)
        d.record("embedded Redis SIGKILLed with jobs queued")
