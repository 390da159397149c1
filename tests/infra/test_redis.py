"""Redis connection factory and the embedded server."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
import redis
from rq import Queue

from palm.infra.embedded_redis import start_embedded_redis
from palm.infra.redis import RedisUnavailableError, check_reachable, redact_redis_url


def test_unreachable_redis_names_the_url_without_its_password() -> None:
    with pytest.raises(RedisUnavailableError) as raised:
        check_reachable("redis://:hunter2@127.0.0.1:1/0", timeout=0.5)
    assert "127.0.0.1:1" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_redact_keeps_user_and_host() -> None:
    assert redact_redis_url("redis://u:pw@h:6379/1") == "redis://u:***@h:6379/1"
    assert redact_redis_url("redis://h:6379/0") == "redis://h:6379/0"


def test_embedded_redis_is_a_real_server_that_keeps_data_across_restarts(tmp_path: Path) -> None:
    server = start_embedded_redis(tmp_path)
    client = redis.Redis.from_url(server.url)
    client.set("palm", "kept")
    client.save()
    client.close()
    server.stop()
    assert server.process.returncode == 0
    again = start_embedded_redis(tmp_path)
    try:
        assert redis.Redis.from_url(again.url).get("palm") == b"kept"
    finally:
        again.stop()


def in_file(client: redis.Redis, timeout: float = 10.0) -> None:
    """Wait until every write so far is in the append-only file (the OS has it; a killed
    server loses nothing of it), not in Redis's own buffer."""
    deadline = time.monotonic() + timeout
    while True:
        info = client.info("persistence")
        if info["aof_buffer_length"] == 0 and info["aof_current_size"] > 0:
            return
        assert time.monotonic() < deadline, f"writes still buffered after {timeout} s: {info}"
        time.sleep(0.02)


def test_a_killed_embedded_redis_keeps_its_queued_jobs_when_started_again(
    tmp_path: Path,
) -> None:
    server = start_embedded_redis(tmp_path)
    client = redis.Redis.from_url(server.url)
    queue = Queue("analysis", connection=client)
    ids = [queue.enqueue("workers.jobs.ping", f"m{i}").id for i in range(7)]
    # everysec promises at most about a second lost: Redis may hold writes back while a
    # background fsync runs (a loaded disk), so kill it once they have left its buffer.
    in_file(client)
    client.close()
    server.process.send_signal(signal.SIGKILL)  # no shutdown save: only the append-only file
    server.process.wait()
    again = server.restart()
    try:
        client = redis.Redis.from_url(again.url)
        assert again.port == server.port
        assert Queue("analysis", connection=client).job_ids == ids
        client.close()
    finally:
        again.stop()
