"""Turn uploaded photos into queued readings: one bad photo never sinks the batch.

This module owns its transactions (like a page helper): rows are committed before their jobs
are enqueued, so a fast worker always finds them, and files written for a transaction that
fails are removed again.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.infra.queue import ANALYSIS_QUEUE, JobSpec, QueueUnavailableError, submit
from palm.infra.storage import BlobStore
from palm.models import Image
from palm.reading.types import expand_types
from palm.services import readings
from palm.services.explore_cache import invalidate_user
from palm.vision.loading import sniff_format

HandChoice = Literal["auto", "left", "right"]


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    hand: HandChoice = "auto"


@dataclass(frozen=True)
class BatchLimits:
    max_files: int
    max_bytes: int
    retries: int
    timeout: int


@dataclass(frozen=True)
class Batch:
    batch_id: str
    reading_ids: list[int]
    rejected: int


def analysis_job(reading_id: int, limits: BatchLimits) -> JobSpec:
    return JobSpec(
        kind="analysis",
        func="workers.jobs.analyze_reading",
        args=(reading_id,),
        queue=ANALYSIS_QUEUE,
        timeout=limits.timeout,
        retries=limits.retries,
        retry_intervals=(2, 10, 30),
    )


def check_upload(upload: Upload, max_bytes: int) -> PalmError | None:
    """Cheap checks at the door; the worker decodes and validates the rest."""
    if not upload.data:
        return PalmError("EMPTY_FILE", "This file is empty.")
    if len(upload.data) > max_bytes:
        megabytes = max_bytes // (1024 * 1024)
        return PalmError("FILE_TOO_LARGE", f"This file is over {megabytes} MB. Send a smaller one.")
    if sniff_format(upload.data) is None:
        return PalmError("UNSUPPORTED_FORMAT", "This is not a JPEG, PNG, WebP, HEIC or BMP photo.")
    return None


def normalise_types(types: Sequence[str]) -> list[str]:
    """Known analysis types in canonical order ("full" means all of them)."""
    chosen = [kind.value for kind in expand_types(types)]
    if not chosen:
        raise PalmError("NO_ANALYSIS_TYPE", "Pick at least one kind of reading.")
    return chosen


def _store_image(
    session: Session, store: BlobStore, user_id: int, upload: Upload, written: list[str]
) -> Image:
    """The user's stored copy of these bytes, reused when the same photo comes again."""
    sha256 = hashlib.sha256(upload.data).hexdigest()
    image = readings.find_image(session, user_id, sha256)
    if image is not None:
        return image
    key = store.put(upload.data)
    written.append(key)
    image = Image(
        user_id=user_id,
        sha256=sha256,
        format=sniff_format(upload.data) or "",
        byte_size=len(upload.data),
        storage_key=key,
    )
    session.add(image)
    session.flush()
    return image


def _create_rows(
    factory: sessionmaker[Session],
    store: BlobStore,
    user_id: int,
    uploads: Sequence[Upload],
    types: list[str],
    limits: BatchLimits,
    batch_id: str,
) -> tuple[list[int], int]:
    written: list[str] = []
    queued: list[int] = []
    rejected = 0
    try:
        with transaction(factory) as session:
            for upload in uploads:
                problem = check_upload(upload, limits.max_bytes)
                image = None if problem else _store_image(session, store, user_id, upload, written)
                reading = readings.add_reading(
                    session,
                    user_id=user_id,
                    batch_id=batch_id,
                    filename=upload.filename,
                    hand_requested=upload.hand,
                    analysis_types=types,
                    image_id=image.id if image else None,
                    rejection=problem,
                )
                if problem:
                    rejected += 1
                else:
                    queued.append(reading.id)
    except BaseException:
        for key in written:
            store.delete(key)
        raise
    return queued, rejected


def submit_batch(
    factory: sessionmaker[Session],
    redis: Redis,
    store: BlobStore,
    *,
    user_id: int,
    uploads: Sequence[Upload],
    analysis_types: Sequence[str],
    limits: BatchLimits,
) -> Batch:
    """Create a reading per photo and enqueue the good ones on the analysis queue."""
    if not uploads:
        raise PalmError("NO_FILES", "Choose at least one photo.")
    if len(uploads) > limits.max_files:
        raise PalmError("TOO_MANY_FILES", f"Send at most {limits.max_files} photos at a time.")
    types = normalise_types(analysis_types)
    batch_id = uuid.uuid4().hex
    queued, rejected = _create_rows(factory, store, user_id, uploads, types, limits, batch_id)
    invalidate_user(redis, user_id)  # committed: the new readings show on the next page view
    for reading_id in queued:
        try:
            submit(
                factory,
                redis,
                analysis_job(reading_id, limits),
                user_id=user_id,
                reading_id=reading_id,
                batch_id=batch_id,
            )
        except QueueUnavailableError as error:
            with transaction(factory) as session:
                readings.mark_failed(session, reading_id, error.code, error.message)
            invalidate_user(redis, user_id)
    return Batch(batch_id=batch_id, reading_ids=queued, rejected=rejected)
