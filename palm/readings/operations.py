"""The readings operations that own their transactions: submit a batch, run an analysis,
delete a reading. Each commits rows before anything outside the database depends on them
(enqueue, cache generations) and removes files it wrote when its transaction fails.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import ActionLimits, BlobStorageError, BlobStore, enforce, held, invalidate_user
from palm.jobs import Queues, QueueUnavailableError, submit
from palm.llm import Deadline
from palm.readers import LLMReader, ReaderOutcome, forget_cached_replies, interpret
from palm.readings import analysis, changes, store, submission
from palm.readings.analysis import RGB
from palm.readings.submission import (
    Batch,
    BatchLimits,
    StorageUnavailableError,
    SubmissionInProgressError,
    Upload,
)
from palm.settings import Settings
from palm.vision import PalmAnalysis, downscaled, render_overlay_jpeg
from palm.vocabulary import Progress, expand_types, report

SUBMIT_LOCK = "palm:submit-lock:"
log = logging.getLogger(__name__)


def submit_batch(
    factory: sessionmaker[Session],
    queues: Queues,
    blobs: BlobStore,
    *,
    user_id: int,
    uploads: Sequence[Upload],
    analysis_types: Sequence[str],
    limits: BatchLimits,
    allow_copies: bool = False,
    rate: ActionLimits | None = None,
    address: str = "",
) -> Batch:
    """Create a reading per photo and enqueue the good ones: one bad photo never sinks the
    batch. Rows are committed before their jobs are enqueued, so a fast worker finds them.

    One submission per person at a time (a Redis lock: a double click submits once), the
    same photo within ten minutes only with ``allow_copies`` (DuplicateUploadError), and
    every photo counts against the ``rate`` limits of the account and the client address
    (RateLimitedError, audited, before anything is written)."""
    submission.check_batch(uploads, limits)
    types = submission.normalise_types(analysis_types)
    enforce(factory, rate, user_id=user_id, address=address, cost=len(uploads))
    try:
        with held(queues.redis, f"{SUBMIT_LOCK}{user_id}", seconds=60) as mine:
            if not mine:
                raise SubmissionInProgressError()
            return _submit(factory, queues, blobs, user_id, uploads, types, limits, allow_copies)
    except BlobStorageError as exc:
        raise StorageUnavailableError(str(exc)) from exc
    except (RedisError, OSError) as exc:
        raise QueueUnavailableError(type(exc).__name__) from exc


def _submit(
    factory: sessionmaker[Session],
    queues: Queues,
    blobs: BlobStore,
    user_id: int,
    uploads: Sequence[Upload],
    types: list[str],
    limits: BatchLimits,
    allow_copies: bool,
) -> Batch:
    batch_id = uuid.uuid4().hex
    written: list[str] = []
    try:
        with transaction(factory) as session:
            if not allow_copies:
                submission.check_copies(session, user_id, uploads)
            queued, refused = submission.add_batch_rows(
                session,
                blobs,
                user_id=user_id,
                batch_id=batch_id,
                uploads=uploads,
                types=types,
                max_bytes=limits.max_bytes,
                written=written,
            )
    except BaseException:
        _remove_quietly(blobs, written)
        raise
    invalidate_user(queues.redis, user_id)  # committed: the new readings show on the next view
    for reading_id in queued:
        _enqueue(factory, queues, reading_id, user_id, batch_id, limits)
    return Batch(batch_id=batch_id, reading_ids=queued, refused=refused)


def _remove_quietly(blobs: BlobStore, keys: Sequence[str]) -> None:
    """Remove the files of a failed attempt; when the storage is what failed, the original
    error is the one to raise (the files are unreferenced: no row names them)."""
    for key in keys:
        try:
            blobs.delete(key)
        except OSError as error:
            log.warning("blob %s… of a failed attempt not removed: %s", key[:8], error)


def _enqueue(
    factory: sessionmaker[Session],
    queues: Queues,
    reading_id: int,
    user_id: int,
    batch_id: str,
    limits: BatchLimits,
) -> None:
    spec = submission.analysis_job(reading_id, limits)
    try:
        submit(factory, queues, spec, user_id=user_id, reading_id=reading_id, batch_id=batch_id)
    except QueueUnavailableError as error:
        with transaction(factory) as session:
            store.mark_failed(session, reading_id, error.code, error.message)
        invalidate_user(queues.redis, user_id)


def run_analysis(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    redis: Redis | None,
    reader: LLMReader | None,
    settings: Settings,
    reading_id: int,
    progress: Progress,
) -> None:
    """Analyse one reading's photo and store everything it produced in one transaction.

    Files (overlay, thumbnail) are written before that transaction commits and removed again
    if it fails, so a failed attempt leaves no orphans and a retry starts clean.
    """
    deadline = Deadline.within(settings.llm_budget)  # from the job's start: it must save in time
    with transaction(factory) as session:
        job = analysis.load_input(session, reading_id)
    if job.already_done:  # its result is stored: running it again would only cost
        return
    found, rgb, scale = analysis.run_vision(blobs.get(job.image_key), job, settings, progress)
    report(progress, "interpreting")
    outcome = interpret(
        found,
        expand_types(job.analysis_types),
        image_sha256=job.image_sha256,
        # only the LLM reader looks at the photo: the offline one saves the JPEG encode
        palm_crop_jpeg=analysis.palm_crop(rgb, found, scale) if reader is not None else None,
        llm=reader,
        deadline=deadline,
        style=job.style,
    )
    report(progress, "saving")
    _save(factory, blobs, redis, job, found, outcome, downscaled(rgb))


def _save(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    redis: Redis | None,
    job: analysis.ReadingInput,
    found: PalmAnalysis,
    outcome: ReaderOutcome,
    base: RGB,
) -> None:
    """Files, then rows. The files (the overlay, a JPEG of ~2 ms, and the thumbnail when the
    photo has none yet; an object store makes each a network round trip) are made and stored
    on a second thread while this one writes the rows; the rows commit only once the files
    are stored. On any failure every file this attempt wrote (or was writing: the thread is
    awaited first) is removed again."""
    overlay_key = BlobStore.new_key()
    thumbnail_key = None if job.has_thumbnail else BlobStore.new_key()
    written = [key for key in (overlay_key, thumbnail_key) if key is not None]
    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="files") as pool:
            files = pool.submit(_store_files, blobs, base, found, overlay_key, thumbnail_key)
            with transaction(factory) as session:
                keys = (overlay_key, thumbnail_key)
                unused = analysis.store_results(session, job, found, outcome, *keys)
                files.result()  # stored before the rows that name them commit
    except BaseException:
        _remove_quietly(blobs, written)
        raise
    blobs.delete(unused)
    invalidate_user(redis, job.user_id)  # after the commit: explore views show it at once


def _store_files(
    blobs: BlobStore, base: RGB, found: PalmAnalysis, overlay_key: str, thumbnail_key: str | None
) -> None:
    blobs.put(render_overlay_jpeg(base, found), overlay_key)
    if thumbnail_key is not None:
        small = downscaled(base, analysis.THUMBNAIL_SIDE)
        blobs.put(analysis.encode_image(small, analysis.THUMBNAIL_SIDE, "WEBP", 80), thumbnail_key)


def remove_reading(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    redis: Redis | None,
    user_id: int,
    reading_id: int,
) -> store.Deletion:
    """Delete a reading everywhere: rows in one transaction; files and cached LLM replies only
    after it committed, so a failure never leaves rows pointing at missing files."""
    with transaction(factory) as session:
        deletion = store.delete_reading(session, user_id, reading_id)
    invalidate_user(redis, user_id)  # committed: explore views drop it on the next page view
    for key in deletion.blob_keys:
        blobs.delete(key)
    if redis is not None and deletion.image_sha256:
        # if Redis is down the entries simply expire by TTL; the reading itself is gone
        with contextlib.suppress(RedisError, OSError):
            forget_cached_replies(redis, deletion.image_sha256)
    return deletion


def prune_change_sequence(factory: sessionmaker[Session], now: datetime) -> int:
    """Drop the change sequence's rows older than it keeps (palm.readings.changes.KEEP), in
    one transaction; returns how many went."""
    with transaction(factory) as session:
        return changes.prune(session, now - changes.KEEP)
