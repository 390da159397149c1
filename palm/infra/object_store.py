"""S3-compatible object storage for the blobs (PALM_STORAGE_URL=s3://bucket/prefix), so a
worker on one machine reads the photo the UI stored on another.

The client is boto3's, built once per process by :func:`make_s3_client` (called by
palm.runtime); the backend only moves ciphertext: BlobStore encrypts before it writes. One
PUT per blob: S3 never shows a partly uploaded object under its name. boto3 is imported on
first use (about 0.1 s): a process on the local folder never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from palm.infra.storage import BlobStorageError, check_key

#: Codes S3 (and MinIO, moto) answer for an object that is not there.
NOT_FOUND = frozenset({"NoSuchKey", "404", "NotFound"})


@dataclass(frozen=True)
class BucketPlace:
    """Where the blobs live: a bucket and a prefix inside it ("" for the bucket's root)."""

    bucket: str
    prefix: str = ""

    @classmethod
    def parse(cls, url: str) -> BucketPlace:
        """``s3://bucket/some/prefix`` → BucketPlace("bucket", "some/prefix")."""
        parts = urlsplit(url)
        if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
            raise ValueError(f"{url!r} is not a storage URL like s3://bucket/prefix")
        return cls(parts.netloc, parts.path.strip("/"))

    def name_of(self, key: str) -> str:
        name = f"{check_key(key)[:2]}/{key}.bin"
        return f"{self.prefix}/{name}" if self.prefix else name

    @property
    def listing_prefix(self) -> str:
        return f"{self.prefix}/" if self.prefix else ""


def make_s3_client(
    *,
    endpoint_url: str | None,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
    timeout: float,
) -> Any:
    """The process's one S3 client (thread-safe; its pool is shared by Streamlit's threads).
    Keys left unset fall back to boto3's own chain (AWS_* variables, instance roles). A
    custom endpoint (MinIO, moto, Ceph) is addressed path-style."""
    import boto3
    from botocore.config import Config

    config = Config(
        region_name=region,
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": 3, "mode": "standard"},
        s3={"addressing_style": "path" if endpoint_url else "auto"},
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint_url or None,
        aws_access_key_id=access_key_id,
        aws_secret_access_key=secret_access_key,
        config=config,
    )


def _code(error: Any) -> str:
    """The S3 error code of a botocore ClientError ("NoSuchKey", "404", …)."""
    return str(error.response.get("Error", {}).get("Code", ""))


@contextmanager
def _storage_errors(action: str) -> Iterator[None]:
    """botocore's errors as BlobStorageError: the callers know OSError, not boto."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        yield
    except ClientError as exc:
        raise BlobStorageError(f"object storage {action} refused: {_code(exc)}") from exc
    except BotoCoreError as exc:
        raise BlobStorageError(f"object storage {action} failed: {type(exc).__name__}") from exc


class S3Objects:
    """A BlobBackend over one bucket and prefix of an S3-compatible store."""

    def __init__(self, client: Any, place: BucketPlace) -> None:
        self.client = client
        self.place = place

    def _missing_as(self, call: Callable[[], Any], action: str) -> Any:
        """The call's answer, or None when the object is not there."""
        from botocore.exceptions import ClientError

        with _storage_errors(action):
            try:
                return call()
            except ClientError as exc:
                if _code(exc) in NOT_FOUND:
                    return None
                raise

    def read(self, key: str) -> bytes | None:
        name = self.place.name_of(key)
        answer = self._missing_as(
            lambda: self.client.get_object(Bucket=self.place.bucket, Key=name), "read"
        )
        if answer is None:
            return None
        with _storage_errors("read"):
            return cast(bytes, answer["Body"].read())

    def write(self, key: str, token: bytes) -> None:
        name = self.place.name_of(key)
        with _storage_errors("write"):
            self.client.put_object(Bucket=self.place.bucket, Key=name, Body=token)

    def remove(self, key: str) -> None:
        name = self.place.name_of(key)
        with _storage_errors("delete"):
            self.client.delete_object(Bucket=self.place.bucket, Key=name)

    def exists(self, key: str) -> bool:
        name = self.place.name_of(key)
        answer = self._missing_as(
            lambda: self.client.head_object(Bucket=self.place.bucket, Key=name), "lookup"
        )
        return answer is not None

    def count(self) -> int:
        """Blobs under the prefix (a listing: for tests and the operator, not a hot path)."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.place.bucket, Prefix=self.place.listing_prefix
        )
        with _storage_errors("listing"):
            return sum(
                1
                for page in pages
                for item in page.get("Contents", [])
                if str(item["Key"]).endswith(".bin")
            )
