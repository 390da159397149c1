"""The RQ worker class the launcher runs (`rq worker -w workers.worker.PalmWorker`).

It is a plain rq Worker plus one thing RQ has no callback for: when the work-horse process is
killed (SIGKILL, out of memory) the jobs row is marked failed or retrying with the reason,
so no row stays "started" forever.
"""

from __future__ import annotations

import os
from typing import Any

from rq import Worker
from rq.job import Job as RQJob

from workers.tracking import record_failure, will_retry


class PalmWorker(Worker):
    def handle_work_horse_killed(self, job: RQJob, retpid: int, ret_val: int,
                                 rusage: Any) -> None:
        signal = os.WTERMSIG(ret_val) if ret_val and os.WIFSIGNALED(ret_val) else None
        detail = f"the worker process died (signal {signal})" if signal else "the worker died"
        try:
            record_failure(job.id, "WORKER_DIED", detail, will_retry(job))
        except Exception:
            self.log.exception("could not record the death of job %s", job.id)
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)  # type: ignore[no-untyped-call]
