"""Export and account deletion over S3 object storage (a real moto server): the zip holds
the photos read back from the bucket, and deleting the account removes exactly the
person's objects."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator

import pytest

from palm.infra import S3Objects
from palm.privacy import CONFIRMATION_PHRASE, delete_account, fetch_export, run_export
from palm.runtime import Runtime, get_runtime
from palm.settings import get_settings
from tests.privacy.test_deletion import PASSWORD, SECRET, live
from tests.support.object_store import ObjectStore


@pytest.fixture
def runtime(
    app_env: dict[str, str],  # noqa: ARG001  (its settings)
    object_store: ObjectStore,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Runtime]:
    for name, value in object_store.env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield get_runtime()


def test_deleting_an_account_removes_its_objects_from_the_bucket_and_no_others(
    runtime: Runtime, object_store: ObjectStore
) -> None:
    assert isinstance(runtime.blob_store.backend, S3Objects)
    redis = runtime.redis
    assert redis is not None
    ben = live(runtime, "ben@example.com", None, ("palm_m_hanging.jpg", "back_m_hanging.jpg"))
    ana = live(runtime, "ana@example.com", None, ("palm_f_hanging.jpg", "back_f_hanging.jpg"))
    assert len(object_store.object_names()) == len(ana.blob_keys) + len(ben.blob_keys)
    factory, blobs = runtime.session_factory, runtime.blob_store
    assert run_export(factory, redis, blobs, runtime.cipher, ana.user_id) > 0
    archive = fetch_export(redis, runtime.cipher, ana.user_id)
    assert archive is not None
    names = zipfile.ZipFile(io.BytesIO(archive)).namelist()
    assert any(name.startswith("photos/") for name in names)
    assert any(name.startswith("overlays/") for name in names)

    delete_account(
        runtime.session_factory,
        redis,
        runtime.queues,
        runtime.blob_store,
        user_id=ana.user_id,
        password=PASSWORD,
        confirmation=CONFIRMATION_PHRASE,
        secret=SECRET,
    )
    assert not [key for key in ana.blob_keys if runtime.blob_store.exists(key)]
    assert all(runtime.blob_store.exists(key) for key in ben.blob_keys)
    assert len(object_store.object_names()) == len(ben.blob_keys)
