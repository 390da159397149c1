"""The RQ worker class the launcher runs (`rq worker -w workers.worker.PalmWorker`).

A SimpleWorker: jobs run in the worker process itself instead of a fork per job, because a
fork would re-import the vision stack and reload the hand model for every photo (≈1.5 s,
measured in bench/pipeline.py) — the model is not fork-safe to share. The price is that a
killed worker takes its job with it: RQ's registry maintenance (run by the other workers,
`--maintenance-interval`) then finds the abandoned job, our failure callback marks its row
WORKER_DIED, and RQ retries it if retries are left. The launcher restarts dead workers.
"""

from __future__ import annotations

from typing import Any

from rq import SimpleWorker


class PalmWorker(SimpleWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        warm_up()


def warm_up() -> None:
    """Import the job modules and load the hand model before the first job arrives."""
    import numpy as np

    import workers.jobs  # noqa: F401  (imports the vision and reading stacks)
    from palm.vision import detect_hand

    detect_hand(np.zeros((256, 256, 3), dtype=np.uint8))
