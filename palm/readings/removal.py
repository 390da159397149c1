"""Every reading of one person removed at once (their account is being deleted): rows, trend
rollup contributions and jobs in the caller's transaction; what to remove outside the
database (files, cached replies, queued jobs) is returned for after the commit."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from palm.models import Image, Job, Reading
from palm.readings import changes, store


@dataclass
class Removal:
    blob_keys: list[str] = field(default_factory=list)
    image_sha256s: list[str] = field(default_factory=list)
    rq_ids: list[str] = field(default_factory=list)
    readings: int = 0


def remove_all_readings(session: Session, user_id: int) -> Removal:
    """Delete the person's readings (their rollup contributions subtracted, their ids out of
    the change sequence), photos, jobs."""
    removal = Removal()
    reading_ids = list(session.scalars(select(Reading.id).where(Reading.user_id == user_id)))
    own_jobs = or_(Job.user_id == user_id, Job.reading_id.in_(reading_ids))
    removal.rq_ids = list(session.scalars(select(Job.rq_id).where(own_jobs)))
    for reading_id in reading_ids:
        deletion = store.delete_reading(session, user_id, reading_id)
        removal.blob_keys += deletion.blob_keys
        if deletion.image_sha256:
            removal.image_sha256s.append(deletion.image_sha256)
    removal.readings = len(reading_ids)
    if reading_ids:
        changes.forget(session, reading_ids)
    for image in session.scalars(select(Image).where(Image.user_id == user_id)):
        removal.blob_keys += [key for key in (image.storage_key, image.thumbnail_key) if key]
        removal.image_sha256s.append(image.sha256)
        session.delete(image)
    session.execute(delete(Job).where(Job.user_id == user_id))
    return removal
