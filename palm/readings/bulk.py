"""Deleting many readings at once (up to MAX_BULK): which of the ids are the person's is
said at once; a job deletes those one by one through ``remove_reading`` (rows, then files
and cached replies), reporting progress, and a retry skips what is already gone."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.errors import PalmError
from palm.infra import BlobStore
from palm.jobs import DEFAULT_QUEUE, JobPolicy, JobSpec, Queues, submit
from palm.models import Reading
from palm.readings.operations import remove_reading
from palm.readings.store import ReadingNotFoundError
from palm.vocabulary import Progress

MAX_BULK = 1000


def owned_ids(session: Session, user_id: int, reading_ids: Sequence[int]) -> list[int]:
    """The ids (in the order given, once each) that are readings of this person."""
    wanted = list(dict.fromkeys(reading_ids))
    if len(wanted) > MAX_BULK:
        raise PalmError("TOO_MANY_READINGS", f"Delete at most {MAX_BULK} readings at a time.")
    found = set(
        session.scalars(
            select(Reading.id).where(Reading.user_id == user_id, Reading.id.in_(wanted))
        )
    )
    return [reading_id for reading_id in wanted if reading_id in found]


def submit_removal(
    factory: sessionmaker[Session],
    queues: Queues,
    user_id: int,
    reading_ids: Sequence[int],
    policy: JobPolicy,
) -> str:
    """Enqueue the deletion of these (already owner-checked) readings; returns the RQ id."""
    spec = JobSpec(
        kind="bulk_delete",
        func="workers.jobs.delete_readings",
        args=(user_id, ",".join(str(i) for i in reading_ids)),  # ids only, as a string
        queue=DEFAULT_QUEUE,
        policy=policy,
    )
    return submit(factory, queues, spec, user_id=user_id)


def remove_readings(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    redis: Redis | None,
    user_id: int,
    reading_ids: Sequence[int],
    progress: Progress,
) -> int:
    """Delete each reading of the person's in turn; returns how many went (others were gone)."""
    removed = 0
    for done, reading_id in enumerate(reading_ids, start=1):
        try:
            remove_reading(factory, blobs, redis, user_id, reading_id)
            removed += 1
        except ReadingNotFoundError:
            pass  # deleted meanwhile, or by an earlier attempt of this job
        progress("deleting", done / max(len(reading_ids), 1))
    return removed
