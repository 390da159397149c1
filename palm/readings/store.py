"""Readings: owner-scoped queries, creation, completion and deletion (the session is passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.infra import AuditAction, Outcome, record
from palm.models import Image, Interpretation, Job, LineResult, Reading, User, utcnow
from palm.readings import line_stats, rollups, terms
from palm.readings.found import found_lines
from palm.vocabulary import Hand, ReadingStatus

Cursor = tuple[datetime, int]


class ReadingNotFoundError(PalmError):
    def __init__(self) -> None:
        super().__init__("READING_NOT_FOUND", "That reading does not exist or is not yours.")


@dataclass(frozen=True)
class ReadingRow:
    """A reading as the list page shows it."""

    id: int
    created_at: datetime
    filename: str
    hand: str | None
    analysis_types: list[str]
    status: str
    error_code: str | None
    error_message: str | None
    thumbnail_key: str | None
    summary: str | None
    hand_shape: str | None = None
    found_lines: tuple[str, ...] = ()


def get_reading(session: Session, user_id: int, reading_id: int) -> Reading:
    """The reading if it belongs to the user; anyone else's id is simply not found."""
    reading = session.scalar(
        select(Reading).where(Reading.id == reading_id, Reading.user_id == user_id)
    )
    if reading is None:
        raise ReadingNotFoundError()
    return reading


def list_readings(
    session: Session,
    user_id: int,
    *,
    after: Cursor | None = None,
    limit: int = 20,
    failed: bool | None = None,
) -> list[ReadingRow]:
    """Newest first, keyset-paginated on (created_at, id) so pages never skip or repeat;
    ``failed`` keeps only the photos that could not be read (True) or only the rest (False)."""
    query = (
        select(Reading, Image.thumbnail_key)
        .outerjoin(Image, Image.id == Reading.image_id)
        .where(Reading.user_id == user_id)
        .order_by(Reading.created_at.desc(), Reading.id.desc())
        .limit(limit)
    )
    if failed is not None:
        is_failed = Reading.status == ReadingStatus.FAILED
        query = query.where(is_failed if failed else ~is_failed)
    if after is not None:
        created, reading_id = after
        query = query.where(
            or_(
                Reading.created_at < created,
                and_(Reading.created_at == created, Reading.id < reading_id),
            )
        )
    page = list(session.execute(query))
    found = found_lines(session, [r.id for r, _ in page])
    return [
        ReadingRow(
            id=r.id,
            created_at=r.created_at,
            filename=r.filename,
            hand=r.hand,
            analysis_types=list(r.analysis_types),
            status=r.status,
            error_code=r.error_code,
            error_message=r.error_message,
            thumbnail_key=thumb,
            summary=r.summary,
            hand_shape=r.hand_shape,
            found_lines=found.get(r.id, ()),
        )
        for r, thumb in page
    ]


def finished_readings(
    session: Session,
    user_id: int,
    *,
    limit: int,
    hand: Hand | None = None,
    oldest_first: bool = False,
) -> list[Reading]:
    """The user's finished readings, newest first (or oldest first), optionally of one hand:
    what pickers, quick picks and the chat's context choose from."""
    order = (Reading.created_at, Reading.id)
    query = select(Reading).where(Reading.user_id == user_id, Reading.status == ReadingStatus.DONE)
    if hand is not None:
        query = query.where(Reading.hand == hand)
    query = query.order_by(*(order if oldest_first else (column.desc() for column in order)))
    return list(session.scalars(query.limit(limit)))


def interpretations_of(session: Session, reading_id: int) -> list[Interpretation]:
    return list(
        session.scalars(
            select(Interpretation)
            .where(Interpretation.reading_id == reading_id)
            .order_by(Interpretation.id)
        )
    )


def recent_copies(
    session: Session, user_id: int, sha256s: list[str], since: datetime
) -> dict[str, str]:
    """Photos (by sha256) the user already sent since ``since``: sha256 → the earlier filename."""
    query = (
        select(Image.sha256, Reading.filename)
        .join(Reading, Reading.image_id == Image.id)
        .where(
            Image.user_id == user_id,
            Image.sha256.in_(sha256s),
            Reading.created_at >= since,
        )
        .order_by(Reading.created_at)
    )
    return {row.sha256: row.filename for row in session.execute(query)}


def active_batches(session: Session, user_id: int, *, limit: int = 5) -> list[str]:
    """The user's batches with a photo still queued or running, newest first."""
    query = (
        select(Reading.batch_id, func.max(Reading.created_at))
        .where(
            Reading.user_id == user_id,
            Reading.status.in_((ReadingStatus.QUEUED, ReadingStatus.RUNNING)),
        )
        .group_by(Reading.batch_id)
        .order_by(func.max(Reading.created_at).desc())
        .limit(limit)
    )
    return [batch for batch, _ in session.execute(query)]


def find_image(session: Session, user_id: int, sha256: str) -> Image | None:
    return session.scalar(select(Image).where(Image.user_id == user_id, Image.sha256 == sha256))


def add_reading(
    session: Session,
    *,
    user_id: int,
    batch_id: str,
    filename: str,
    hand_requested: str,
    analysis_types: list[str],
    image_id: int | None,
) -> Reading:
    """A queued reading of a stored photo."""
    reading = Reading(
        user_id=user_id,
        batch_id=batch_id,
        filename=filename[:255],
        hand_requested=hand_requested,
        analysis_types=analysis_types,
        image_id=image_id,
        status=ReadingStatus.QUEUED,
    )
    session.add(reading)
    session.flush()
    rollups.add_reading(session, reading, [])
    return reading


def mark_running(session: Session, reading_id: int) -> Reading:
    """Running, unless it is done already (a retry of a job whose first run saved it)."""
    reading = session.get_one(Reading, reading_id)
    if reading.status == ReadingStatus.DONE:
        return reading
    with rollups.tracking(session, reading):
        reading.status = ReadingStatus.RUNNING
    return reading


def mark_failed(session: Session, reading_id: int, code: str, message: str) -> None:
    """Failed with a reason, unless it already finished (a late duplicate must not undo it)."""
    reading = session.get(Reading, reading_id)
    if reading is None or reading.status == ReadingStatus.DONE:
        return
    with rollups.tracking(session, reading):
        reading.status = ReadingStatus.FAILED
    reading.error_code = code
    reading.error_message = message
    reading.finished_at = utcnow()


def replace_results(
    session: Session,
    reading: Reading,
    lines: list[LineResult],
    interpretations: list[Interpretation],
) -> None:
    """Swap in this attempt's rows (a retried job must not duplicate an earlier attempt's)."""
    session.execute(delete(LineResult).where(LineResult.reading_id == reading.id))
    session.execute(delete(Interpretation).where(Interpretation.reading_id == reading.id))
    for line in lines:
        line.reading_id = reading.id
    for interpretation in interpretations:
        interpretation.reading_id = reading.id
    session.add_all([*lines, *interpretations])
    line_stats.refresh(session, reading)
    texts = [part for item in interpretations for part in (item.title, item.text)]
    terms.index_reading(session, reading.id, texts)


def complete(reading: Reading, *, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(reading, name, value)
    reading.status = ReadingStatus.DONE
    reading.error_code = None
    reading.error_message = None
    reading.finished_at = utcnow()


@dataclass(frozen=True)
class Deletion:
    """What to clean up outside the database once the deleting transaction has committed."""

    blob_keys: list[str]
    image_sha256: str | None  # set when the photo itself went (its cached LLM replies go too)


def delete_reading(session: Session, user_id: int, reading_id: int) -> Deletion:
    """Delete the reading's rows; returns the files and cache entries to remove after commit.

    The photo and its thumbnail go too unless another reading of the same user still uses it.
    """
    reading = get_reading(session, user_id, reading_id)
    keys = [reading.overlay_key] if reading.overlay_key else []
    for job in session.scalars(select(Job).where(Job.reading_id == reading.id)):
        session.delete(job)
    rollups.remove_reading(session, reading)
    photo = _release_photo(session, reading)
    session.delete(reading)
    owner = session.get(User, user_id)
    record(
        session,
        actor=owner.email if owner else f"user:{user_id}",
        action=AuditAction.READING_DELETED,
        outcome=Outcome.OK,
        target=f"reading:{reading_id}",
    )
    return Deletion(keys + photo.blob_keys, photo.image_sha256)


def _release_photo(session: Session, reading: Reading) -> Deletion:
    """Detach the reading from its photo; the photo (row and files) goes unless another
    reading of the same person still uses it. Returns what to remove after commit."""
    image = session.get(Image, reading.image_id) if reading.image_id else None
    if image is None:
        return Deletion([], None)
    others = session.scalar(
        select(func.count())
        .select_from(Reading)
        .where(Reading.image_id == image.id, Reading.id != reading.id)
    )
    reading.image_id = None
    if others:
        return Deletion([], None)
    session.flush()  # the reading lets go before its photo is deleted
    session.delete(image)
    return Deletion([key for key in (image.storage_key, image.thumbnail_key) if key], image.sha256)


def release_refused_photo(session: Session, reading_id: int) -> list[str]:
    """A photo the analysis refused (the back of a hand, no palm) is not kept: no use for it,
    and it is personal data. Returns the files to remove after commit."""
    reading = session.get(Reading, reading_id)
    return _release_photo(session, reading).blob_keys if reading is not None else []


@dataclass(frozen=True)
class BatchItem:
    """One photo of a batch as the progress view shows it (written by workers, never guessed)."""

    reading_id: int
    filename: str
    status: str
    stage: str
    progress: float
    error_code: str | None
    message: str | None
    job_id: str | None = None  # the RQ id of its analysis job (the REST API's progress stream)


def batch_progress(session: Session, user_id: int, batch_id: str) -> list[BatchItem]:
    query = (
        select(Reading, Job.stage, Job.progress, Job.rq_id)
        .outerjoin(Job, Job.reading_id == Reading.id)
        .where(Reading.user_id == user_id, Reading.batch_id == batch_id)
        .order_by(Reading.id)
    )
    items = []
    for reading, stage, progress, rq_id in session.execute(query):
        done = reading.status in (ReadingStatus.DONE, ReadingStatus.FAILED)
        items.append(
            BatchItem(
                reading_id=reading.id,
                filename=reading.filename,
                status=reading.status,
                stage=reading.status if done or stage is None else stage,
                progress=1.0 if done else float(progress or 0.0),
                error_code=reading.error_code,
                message=reading.error_message,
                job_id=rq_id,
            )
        )
    return items


def image_key_of(session: Session, reading: Reading) -> str | None:
    image = session.get(Image, reading.image_id) if reading.image_id else None
    return image.storage_key if image else None
