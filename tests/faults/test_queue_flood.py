"""A hundred and twenty photos at once (sixty queued per worker): every one reaches a final
state, none is lost or stuck. It was three hundred until the suite neared CI's 30 minutes (the
drill alone took three); what it checks, every queued job taken once and settled, does not
change with the count."""

from __future__ import annotations

import time
from pathlib import Path

from tests.faults.drill import drill, wait_until

PHOTOS = 120


def test_a_hundred_and_twenty_jobs_at_once_all_finish(
    drill_env: dict[str, str], tmp_path: Path
) -> None:
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
        d.record(f"{PHOTOS} photos submitted at once, 2 workers")
