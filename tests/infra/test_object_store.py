"""The S3 backend against a real S3-compatible server (moto, server mode, local port):
ciphertext in the bucket, a missing object, rotation, a failed upload leaving nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from pydantic import ValidationError

from palm.infra import (
    BlobMissingError,
    BlobStorageError,
    BlobStore,
    BucketPlace,
    LocalFolder,
    S3Objects,
    free_port,
)
from palm.runtime import Runtime
from palm.settings import Settings
from tests.support.object_store import ObjectStore, s3_client

OLD, NEW = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())


def test_blobs_land_in_the_bucket_as_ciphertext_under_the_prefix(
    object_store: ObjectStore,
) -> None:
    store = BlobStore(object_store.backend(), MultiFernet([OLD]))
    key = store.put(b"a palm photo, in the clear")
    (name,) = object_store.object_names()
    assert name == f"blobs/{key[:2]}/{key}.bin"
    raw = object_store.client.get_object(Bucket=object_store.bucket, Key=name)["Body"].read()
    assert b"palm photo" not in raw
    assert OLD.decrypt(raw) == b"a palm photo, in the clear"
    assert store.get(key) == b"a palm photo, in the clear"
    assert store.exists(key) and store.count() == 1


def test_a_missing_object_is_blob_missing_and_deleting_it_is_harmless(
    object_store: ObjectStore,
) -> None:
    store = BlobStore(object_store.backend(), MultiFernet([OLD]))
    key = store.put(b"overlay")
    store.delete(key)
    with pytest.raises(BlobMissingError) as missing:
        store.get(key)
    assert missing.value.code == "BLOB_MISSING"
    assert not store.exists(key)
    assert store.rotate(key) is False  # a reading deleted while rotate-keys ran
    store.delete(key)
    assert object_store.object_names() == []


def test_rotation_rewrites_the_object_under_the_newest_key(object_store: ObjectStore) -> None:
    key = BlobStore(object_store.backend(), MultiFernet([OLD])).put(b"thumbnail")
    assert BlobStore(object_store.backend(), MultiFernet([NEW, OLD])).rotate(key) is True
    assert BlobStore(object_store.backend(), MultiFernet([NEW])).get(key) == b"thumbnail"


def test_an_upload_the_server_refuses_raises_a_storage_error_and_leaves_nothing(
    object_store: ObjectStore,
) -> None:
    gone = BucketPlace("no-such-bucket-here", "blobs")
    store = BlobStore(S3Objects(object_store.client, gone), MultiFernet([OLD]))
    with pytest.raises(BlobStorageError, match="NoSuchBucket"):
        store.put(b"photo")
    assert isinstance(BlobStorageError("x"), OSError)  # workers word it SERVICE_ERROR, retry
    assert object_store.object_names() == []


class AnswerLost(S3Objects):
    """The PUT reached the server but its answer did not come back (a dropped connection)."""

    def write(self, key: str, token: bytes) -> None:
        super().write(key, token)
        raise BlobStorageError("connection reset after the upload")


def test_an_upload_whose_answer_is_lost_is_removed_again(object_store: ObjectStore) -> None:
    lossy = AnswerLost(object_store.client, BucketPlace.parse(object_store.url))
    store = BlobStore(lossy, MultiFernet([OLD]))
    with pytest.raises(BlobStorageError):
        store.put(b"photo")
    assert object_store.object_names() == []


def test_an_unreachable_server_is_a_storage_error_not_a_missing_blob(tmp_path: Path) -> None:
    client = s3_client(f"http://127.0.0.1:{free_port()}")  # nothing listens there
    store = BlobStore(S3Objects(client, BucketPlace("palm")), MultiFernet([OLD]))
    with pytest.raises(BlobStorageError, match="failed"):
        store.get("0" * 32)
    client.close()
    assert LocalFolder(tmp_path).count() == 0


def test_the_runtime_builds_the_s3_backend_from_settings_once(
    object_store: ObjectStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in object_store.env.items():
        monkeypatch.setenv(name, value)
    runtime = Runtime(Settings(palm_data_dir=tmp_path))
    try:
        assert isinstance(runtime.blob_store.backend, S3Objects)
        key = runtime.blob_store.put(b"photo")
        assert object_store.object_names() == [f"blobs/{key[:2]}/{key}.bin"]
        assert runtime.blob_store.get(key) == b"photo"
        assert runtime.built["s3_client"] == runtime.built["blob_store"] == 1
        assert not (tmp_path / "images").exists()
    finally:
        runtime.close()


def test_without_a_storage_url_blobs_stay_in_the_local_folder(tmp_path: Path) -> None:
    runtime = Runtime(Settings(palm_data_dir=tmp_path))
    assert isinstance(runtime.blob_store.backend, LocalFolder)
    assert "s3_client" not in runtime.built


@pytest.mark.parametrize("url", ["s3://", "file:///srv/palm", "bucket/prefix"])
def test_a_storage_url_without_a_bucket_stops_the_start(url: str) -> None:
    with pytest.raises(ValidationError, match="PALM_STORAGE_URL"):
        Settings(palm_storage_url=url)


def test_a_bucket_place_reads_its_url() -> None:
    assert BucketPlace.parse("s3://palm/prod/blobs/") == BucketPlace("palm", "prod/blobs")
    assert BucketPlace.parse("s3://palm").name_of("ab" * 16) == f"ab/{'ab' * 16}.bin"
    with pytest.raises(ValueError, match="malformed"):
        BucketPlace("palm").name_of("../../etc/passwd")
