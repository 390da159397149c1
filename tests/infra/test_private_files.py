"""The data directory is private: directories 0700, files 0600, whatever the umask."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
import redis
from cryptography.fernet import Fernet, MultiFernet

from palm.infra import BlobStore, LocalFolder, ensure_dev_key
from palm.infra.embedded_redis import start_embedded_redis

pytestmark = pytest.mark.usefixtures("loose_umask")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def modes_under(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): mode(p) for p in [root, *root.rglob("*")]}


def test_blobs_are_private_files_in_private_directories(tmp_path: Path) -> None:
    folder = LocalFolder(tmp_path / "data" / "images")
    key = BlobStore(folder, MultiFernet([Fernet(Fernet.generate_key())])).put(b"a palm photo")
    assert mode(folder.path_for(key)) == 0o600
    assert mode(folder.path_for(key).parent) == 0o700
    assert mode(tmp_path / "data" / "images") == 0o700
    assert mode(tmp_path / "data") == 0o700


def test_a_leftover_temporary_blob_does_not_keep_its_loose_mode(tmp_path: Path) -> None:
    folder = LocalFolder(tmp_path / "images")
    key = BlobStore(folder, MultiFernet([Fernet(Fernet.generate_key())])).put(b"first")
    path = folder.path_for(key)
    path.with_suffix(".tmp").write_bytes(b"half-written by a crash")
    assert mode(path.with_suffix(".tmp")) == 0o644
    folder.write(key, b"token")
    assert mode(path) == 0o600


def test_the_development_key_lives_in_a_private_directory(tmp_path: Path) -> None:
    ensure_dev_key(tmp_path / "data")
    assert modes_under(tmp_path / "data") == {".": 0o700, "secret.key": 0o600}


def test_embedded_redis_keeps_its_dump_and_log_private(tmp_path: Path) -> None:
    data = tmp_path / "redis"
    data.mkdir(mode=0o755)
    (data / "redis.log").write_text("written by an older version\n")
    server = start_embedded_redis(data)
    try:
        client = redis.Redis.from_url(server.url)
        client.set("palm:job", "queued")
        client.save()
        client.close()
    finally:
        server.stop()
    modes = modes_under(data)
    assert modes["."] == 0o700
    assert modes["dump.rdb"] == 0o600 and modes["redis.log"] == 0o600
    assert set(modes.values()) <= {0o700, 0o600}, modes
