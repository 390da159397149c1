"""Redis stops for a minute mid-batch and comes back: nobody restarts anything by hand, no
reading is lost or stuck, the queued ones complete."""

from __future__ import annotations

import time
from pathlib import Path

from palm.vocabulary import ReadingStatus
from tests.faults.conftest import OwnRedis
from tests.faults.drill import drill, launcher_children, wait_until

PHOTOS = 12
OUTAGE_SECONDS = 60  # the fault itself: how long Redis stays away


def test_a_minute_without_redis_mid_batch_loses_nothing(
    drill_env: dict[str, str], own_redis: OwnRedis, tmp_path: Path
) -> None:
    with drill(drill_env, tmp_path, workers=2) as d:
        ids = d.watched = d.submit(PHOTOS)
        wait_until(lambda: d.count(ids)[ReadingStatus.DONE] >= 1, 90, "a first reading", d)
        children = {p.pid for p in launcher_children(d.stack)}
        own_redis.stop()
        d.figures["done_before_outage"] = d.count(ids)[ReadingStatus.DONE]

        gone = time.monotonic()
        while time.monotonic() - gone < OUTAGE_SECONDS:  # the outage; the stack must ride it out
            assert d.stack.process.poll() is None, d.log()
            assert {p.pid for p in launcher_children(d.stack)} == children, "a child gave up"
            time.sleep(1)
        own_redis.start()

        d.figures["redis_back_to_all_done_s"] = round(
            wait_until(lambda: d.settled(ids), 120, "every reading settled", d), 1
        )
        d.all_done(ids)
        d.figures["redis_back_to_two_workers_s"] = round(
            wait_until(lambda: d.live_workers() == 2, 60, "two live workers", d), 1
        )
        d.figures.update(readings=PHOTOS, outage_s=OUTAGE_SECONDS, lost=0)
        d.record(f"Redis stopped for {OUTAGE_SECONDS} s mid-batch")
