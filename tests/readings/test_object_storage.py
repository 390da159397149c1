"""Readings over S3 object storage (a real moto server): a batch and an analysis whose
upload fails leave no row pointing at a missing object and no object without a row."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import BlobStorageError, BlobStore, BucketPlace, S3Objects
from palm.jobs import Queues
from palm.models import Image, Reading
from palm.readings import StorageUnavailableError, Upload, run_analysis, submit_batch
from palm.settings import Settings
from tests.support.object_store import ObjectStore
from tests.support.photos import LIMITS, photo

CIPHER = MultiFernet([Fernet(Fernet.generate_key())])


class FailingWrites(S3Objects):
    """Writes reach the bucket until the ``fail_at``-th, which lands but loses its answer."""

    def __init__(self, store: ObjectStore, fail_at: int) -> None:
        super().__init__(store.client, BucketPlace.parse(store.url))
        self.fail_at, self.writes = fail_at, 0
        self.lock = threading.Lock()  # the overlay is uploaded from a second thread

    def write(self, key: str, token: bytes) -> None:
        with self.lock:
            self.writes += 1
            failing = self.writes == self.fail_at
        super().write(key, token)
        if failing:
            raise BlobStorageError("connection reset after the upload")


def count(factory: sessionmaker[Session], model: type) -> int:
    with transaction(factory) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def submit(factory: sessionmaker[Session], redis: Redis, blobs: BlobStore, user: int) -> list[int]:
    batch = submit_batch(
        factory,
        Queues(redis),
        blobs,
        user_id=user,
        uploads=[
            Upload("a.jpg", photo("palm_f_hanging.jpg")),
            Upload("b.jpg", photo("palm_m_hanging.jpg")),
        ],
        analysis_types=["life"],
        limits=LIMITS,
    )
    return batch.reading_ids


def test_a_batch_whose_second_upload_fails_keeps_nothing(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    object_store: ObjectStore,
    make_account: Callable[[str], int],
) -> None:
    blobs = BlobStore(FailingWrites(object_store, fail_at=2), CIPHER)
    with pytest.raises(StorageUnavailableError) as failed:
        submit(session_factory, redis_client, blobs, make_account("ana@example.com"))
    assert failed.value.code == "SERVICE_ERROR" and "Nothing was kept" in failed.value.message
    assert (count(session_factory, Reading), count(session_factory, Image)) == (0, 0)
    assert object_store.object_names() == []  # the first photo went, the second too
    assert redis_client.llen("rq:queue:analysis") == 0


def test_an_analysis_whose_thumbnail_upload_fails_is_not_half_saved(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    object_store: ObjectStore,
    make_account: Callable[[str], int],
    tmp_path: Path,
) -> None:
    backend = FailingWrites(object_store, fail_at=0)
    blobs = BlobStore(backend, CIPHER)
    reading_id = submit(session_factory, redis_client, blobs, make_account("ana@example.com"))[0]
    photos = object_store.object_names()
    backend.fail_at = backend.writes + 2  # of the overlay and the thumbnail, the second fails
    settings = Settings(palm_data_dir=tmp_path, redis_url=None)
    with pytest.raises(BlobStorageError):
        run_analysis(
            session_factory, blobs, redis_client, None, settings, reading_id, lambda *_: None
        )
    assert object_store.object_names() == photos  # no overlay, no thumbnail left behind
    with transaction(session_factory) as session:
        reading = session.get_one(Reading, reading_id)
        image = session.get_one(Image, reading.image_id)
        assert (reading.status, reading.overlay_key, image.thumbnail_key) == ("queued", None, None)
        assert blobs.exists(image.storage_key)  # a retry finds its photo
    backend.fail_at = 0
    run_analysis(session_factory, blobs, redis_client, None, settings, reading_id, lambda *_: None)
    with transaction(session_factory) as session:
        reading = session.get_one(Reading, reading_id)
        image = session.get_one(Image, reading.image_id)
        assert reading.status == "done" and reading.overlay_key and image.thumbnail_key
        assert blobs.get(reading.overlay_key)[:3] == b"\xff\xd8\xff"  # a JPEG
        assert blobs.get(image.thumbnail_key)[8:12] == b"WEBP"
    assert len(object_store.object_names()) == len(photos) + 2
