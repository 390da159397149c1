"""rotate-keys over S3 object storage (a real moto server): the CLI, configured by
PALM_STORAGE_URL, re-encrypts every object in the bucket; nothing touches the data folder."""

from __future__ import annotations

from pathlib import Path

from redis import Redis

from tests.rotation.test_rotate_keys import (
    everything_reads_with_b_only,
    refuses_b_only,
    rotate_cli,
    write_under_a,
)
from tests.support.object_store import ObjectStore


def test_after_rotate_keys_the_old_key_can_be_removed_from_an_s3_store(
    db_url: str, redis_url: str, redis_client: Redis, tmp_path: Path, object_store: ObjectStore
) -> None:
    bucket = object_store.backend()
    written = write_under_a(db_url, bucket, redis_client, photos=2)
    refuses_b_only(db_url, bucket, written)
    data = tmp_path / "data"
    result = rotate_cli(db_url, redis_url, data, "--batch-size", "2", extra=object_store.env)
    assert result.returncode == 0, result.stderr
    for line in ("photos: 2 of 2", "thumbnails: 2 of 2", "overlays: 2 of 2"):
        assert line in result.stdout
    everything_reads_with_b_only(db_url, bucket, redis_client, written)
    assert len(object_store.object_names()) == 6
    assert not (data / "images").exists()
