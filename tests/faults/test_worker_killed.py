"""SIGKILL one worker mid-batch: the stack stays up, the worker comes back under a new name,
and the job it was running is handed back at once and finishes."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.faults.drill import drill, wait_until

PHOTOS = 12
RECOVERY_LIMIT = 60  # seconds from the kill to every reading done (the bound)


def test_a_worker_killed_mid_batch_is_replaced_and_every_reading_finishes(
    drill_env: dict[str, str], tmp_path: Path
) -> None:
    with drill(drill_env, tmp_path, workers=2) as d:
        ids = d.watched = d.submit(PHOTOS)
        wait_until(lambda: d.started_job(ids) is not None, 90, "a job running", d)
        victim = d.started_job(ids)
        assert victim is not None
        pid = d.worker_pid_of(victim.rq_id)
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()

        wait_until(lambda: d.settled(ids), RECOVERY_LIMIT, "every reading settled", d)
        d.figures["kill_to_all_done_s"] = round(time.monotonic() - killed, 1)
        d.all_done(ids)
        d.figures["back_to_two_workers_s"] = round(
            wait_until(lambda: d.live_workers() == 2, 30, "two live workers again", d), 1
        )
        assert d.stack.process.poll() is None  # nothing else was stopped
        rerun = next(j for j in d.jobs(ids) if j.rq_id == victim.rq_id)
        d.figures.update(readings=PHOTOS, lost=0, killed_job_attempts=rerun.attempts)
        assert d.said("handed 1 job(s)") or rerun.attempts == 1  # it had finished already
        d.record("SIGKILL one of two workers mid-batch")
