"""What a batch of uploads becomes inside one transaction: checked at the door, stored once
per photo, a reading row per file (refused files get a failed row with their reason).

The transaction, the enqueueing and the clean-up of written files on failure belong to
palm.readings.operations.submit_batch.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.infra import BlobStore
from palm.jobs import ANALYSIS_QUEUE, JobPolicy, JobSpec, analysis_policy
from palm.models import Image, utcnow
from palm.readings import store
from palm.settings import Settings
from palm.vision import sniff_format
from palm.vocabulary import HandChoice, JobFailure, expand_types

#: The same photo sent again within this long is probably a double click: ask first.
COPY_WINDOW = timedelta(minutes=10)


class DuplicateUploadError(PalmError):
    """These photos were sent moments ago; the person confirms before a second reading."""

    def __init__(self, filenames: list[str]) -> None:
        names, them = ", ".join(filenames), "it" if len(filenames) == 1 else "them"
        super().__init__(
            "DUPLICATE_UPLOAD",
            f"You sent {names} less than 10 minutes ago. Read {them} again anyway?",
        )
        self.filenames = filenames


class SubmissionInProgressError(PalmError):
    def __init__(self) -> None:
        super().__init__(
            "SUBMISSION_IN_PROGRESS", "Your photos are already on their way; wait a moment."
        )


class StorageUnavailableError(PalmError):
    """The photo store (the data folder or the object store) refused the upload; nothing of
    the batch was kept."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            JobFailure.SERVICE_ERROR,
            f"Your photos could not be stored right now ({detail}). Nothing was kept; try again.",
        )


MAX_FILENAME = 200


def clean_filename(name: str) -> str:
    """A filename as it is kept and shown: no control or invisible format characters (a
    right-to-left override U+202E would show "gnp.exe" as "exe.png"), at most 200 characters."""
    kept = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf")).strip()
    return kept[:MAX_FILENAME] or "photo"


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    hand: HandChoice = "auto"

    def __post_init__(self) -> None:
        object.__setattr__(self, "filename", clean_filename(self.filename))


@dataclass(frozen=True)
class BatchLimits:
    """How much one batch may hold, and the policy its analysis jobs run under."""

    max_files: int
    max_bytes: int
    policy: JobPolicy

    @classmethod
    def from_settings(cls, settings: Settings) -> BatchLimits:
        return cls(
            max_files=settings.palm_batch_limit,
            max_bytes=settings.max_upload_bytes,
            policy=analysis_policy(settings),
        )


@dataclass(frozen=True)
class Refusal:
    """A file turned away at the door: said to the person at once, never stored."""

    filename: str
    code: str
    message: str


@dataclass(frozen=True)
class Batch:
    batch_id: str
    reading_ids: list[int]
    refused: list[Refusal] = field(default_factory=list)

    @property
    def rejected(self) -> int:
        return len(self.refused)


def analysis_job(reading_id: int, limits: BatchLimits) -> JobSpec:
    return JobSpec(
        kind="analysis",
        func="workers.jobs.analyze_reading",
        args=(reading_id,),
        queue=ANALYSIS_QUEUE,
        policy=limits.policy,
    )


def check_batch(uploads: Sequence[Upload], limits: BatchLimits) -> None:
    """Refuse a batch that is empty or too large before anything is written."""
    if not uploads:
        raise PalmError("NO_FILES", "Choose at least one photo.")
    if len(uploads) > limits.max_files:
        raise PalmError("TOO_MANY_FILES", f"Send at most {limits.max_files} photos at a time.")


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


def check_copies(session: Session, user_id: int, uploads: Sequence[Upload]) -> None:
    """Refuse photos this person sent within COPY_WINDOW (DuplicateUploadError)."""
    by_hash = {hashlib.sha256(upload.data).hexdigest(): upload.filename for upload in uploads}
    copies = store.recent_copies(session, user_id, list(by_hash), utcnow() - COPY_WINDOW)
    if copies:
        raise DuplicateUploadError([by_hash[sha] for sha in by_hash if sha in copies])


def _store_image(
    session: Session, blobs: BlobStore, user_id: int, upload: Upload, written: list[str]
) -> Image:
    """The user's stored copy of these bytes, reused when the same photo comes again."""
    sha256 = hashlib.sha256(upload.data).hexdigest()
    image = store.find_image(session, user_id, sha256)
    if image is not None:
        return image
    key = blobs.put(upload.data)
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


def add_batch_rows(
    session: Session,
    blobs: BlobStore,
    *,
    user_id: int,
    batch_id: str,
    uploads: Sequence[Upload],
    types: list[str],
    max_bytes: int,
    written: list[str],
) -> tuple[list[int], list[Refusal]]:
    """A reading per acceptable upload; returns the ids to enqueue and the refusals (which
    leave no row: nothing was read, and nothing about the file is kept).

    Keys of blobs written go into ``written`` so the caller can remove them if the
    transaction fails.
    """
    queued: list[int] = []
    refused: list[Refusal] = []
    for upload in uploads:
        problem = check_upload(upload, max_bytes)
        if problem is not None:
            refused.append(Refusal(upload.filename, problem.code, problem.message))
            continue
        image = _store_image(session, blobs, user_id, upload, written)
        reading = store.add_reading(
            session,
            user_id=user_id,
            batch_id=batch_id,
            filename=upload.filename,
            hand_requested=upload.hand,
            analysis_types=types,
            image_id=image.id,
        )
        queued.append(reading.id)
    return queued, refused
