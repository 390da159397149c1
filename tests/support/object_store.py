"""A real S3-compatible server for tests: moto in server mode on a free local port (nothing
reaches the internet), and a fresh bucket per test."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from palm.infra import BucketPlace, S3Objects, free_port, make_s3_client

ACCESS_KEY = "testing-key"
SECRET_KEY = "testing-secret"
REGION = "us-east-1"


@dataclass(frozen=True)
class ObjectStore:
    """One test's bucket on the shared moto server, and how a process reaches it."""

    endpoint: str
    bucket: str
    client: Any

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/blobs"

    @property
    def env(self) -> dict[str, str]:
        """The settings a process (the app, a worker) needs to use this bucket."""
        return {
            "PALM_STORAGE_URL": self.url,
            "PALM_S3_ENDPOINT_URL": self.endpoint,
            "PALM_S3_REGION": REGION,
            "PALM_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "PALM_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def backend(self) -> S3Objects:
        return S3Objects(self.client, BucketPlace.parse(self.url))

    def object_names(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.bucket)
        return sorted(str(item["Key"]) for item in listing.get("Contents", []))


def s3_client(endpoint: str) -> Any:
    return make_s3_client(
        endpoint_url=endpoint,
        region=REGION,
        access_key_id=ACCESS_KEY,
        secret_access_key=SECRET_KEY,
        timeout=5.0,
    )


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """moto's S3 server, started once for the session in this process (a real HTTP server:
    worker processes reach it like any S3 endpoint). Imported here: moto is heavy."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def object_store(moto_endpoint: str) -> Iterator[ObjectStore]:
    client = s3_client(moto_endpoint)
    bucket = f"palm-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    yield ObjectStore(moto_endpoint, bucket, client)
    client.close()
