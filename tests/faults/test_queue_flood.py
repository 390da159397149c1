"""Three hundred photos at once: every one reaches a final state, none is lost or stuck."""

from __future__ import annotations

import time
from pathlib import Path

from tests.faults.drill import drill, wait_until

PHOTOS = 300


def test_three_hundred_jobs_at_once_all_finish(drill_env: dict[str, str], tmp_path: Path) -> None:
    with drill(drill_env, tmp_path, workers=2) as d:
        started = time.monotonic()
        ids = d.watched = d.submit(PHOTOS)
        d.figures["submit_s"] = round(time.monotonic() - started, 1)
        assert len(ids) == PHOTOS
        wait_until(lambda: d.settled(ids), 900, "every reading settled", d)
        elapsed = time.monotonic() - started
        d.all_done(ids)
        d.figures.update(
            readings=PHOTOS,
            lost=0,
            all_done_s=round(elapsed, 1),
            photos_per_s=round(PHOTOS / elapsed, 2),
        )
        d.record("300 photos submitted at once, 2 workers")
