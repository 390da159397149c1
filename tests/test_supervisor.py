"""The launcher's supervisor: a child that dies is started again however often it dies, with a
fresh generation (so a worker a fresh RQ name), never into a Redis that is down; an embedded
Redis that died is started again on its port."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis import Redis

from palm import supervisor as supervisor_module
from palm.infra import start_embedded_redis
from palm.jobs import Queues, worker_deaths_per_hour
from palm.supervisor import Child, Supervisor

DIES = [sys.executable, "-c", "raise SystemExit(3)"]


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(supervisor_module, "BACKOFF_SECONDS", (0,))


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def supervisor(redis_url: str, redis_client: Redis, said: list[str]) -> Iterator[Supervisor]:
    running = Supervisor(redis_url=redis_url, queues=Queues(redis_client), say=said.append)
    yield running
    running.stop(timeout=5)


def dying_child(generations: list[int]) -> Child:
    def command(generation: int) -> list[str]:
        generations.append(generation)
        return DIES

    return Child("crasher", command, dict(os.environ))


def restart_once(supervisor: Supervisor, child: Child) -> None:
    """Wait for the child to end, then one tick notes it and the next starts it again."""
    assert child.process is not None
    child.process.wait(timeout=30)
    supervisor.tick()
    supervisor.tick()


@pytest.mark.usefixtures("no_backoff")
def test_each_unexpected_worker_exit_is_counted_as_a_death(
    supervisor: Supervisor, redis_client: Redis
) -> None:
    worker = Child("worker-1", lambda _g: DIES, dict(os.environ), rq_name=lambda g: f"w1.{g}")
    supervisor.add(worker)
    for _ in range(2):
        restart_once(supervisor, worker)
    assert worker.process is not None
    worker.process.wait(timeout=30)
    supervisor.tick()
    per_hour = worker_deaths_per_hour(redis_client, now=time.time())
    assert sum(count for _, count in per_hour) == 3  # one per generation (w1.0, w1.1, w1.2)


@pytest.mark.usefixtures("no_backoff")
def test_a_child_that_keeps_dying_is_started_again_every_time(supervisor: Supervisor) -> None:
    generations: list[int] = []
    child = dying_child(generations)
    supervisor.add(child)
    for _ in range(8):  # the old launcher gave up on the whole stack after 5
        restart_once(supervisor, child)
    assert generations == list(range(9))  # each start has its own generation (RQ name)


def test_a_child_dying_right_after_its_start_backs_off_and_says_when(
    supervisor: Supervisor, said: list[str]
) -> None:
    generations: list[int] = []
    child = dying_child(generations)
    supervisor.add(child)
    assert child.process is not None
    child.process.wait(timeout=30)
    supervisor.tick()
    supervisor.tick()
    assert said == ["crasher exited with code 3; starting it again in 1 s"]
    assert generations == [0] and child.due_at is not None  # waiting, not started


@pytest.mark.usefixtures("no_backoff")
def test_nothing_is_started_while_redis_is_down(redis_client: Redis, said: list[str]) -> None:
    down = Supervisor("redis://127.0.0.1:1/0", Queues(redis_client), said.append)
    generations: list[int] = []
    child = dying_child(generations)
    down.add(child)
    assert child.process is not None
    child.process.wait(timeout=30)
    for _ in range(3):
        down.tick()
    assert generations == [0]  # it waits for Redis
    down.redis_url = _url(redis_client)  # Redis is back
    down.tick()
    assert generations == [0, 1]
    down.stop(timeout=5)


def _url(client: Redis) -> str:
    kwargs = client.connection_pool.connection_kwargs
    return f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}"


def test_an_embedded_redis_that_died_is_started_again_with_its_data(
    tmp_path: Path, redis_client: Redis, said: list[str]
) -> None:
    embedded = start_embedded_redis(tmp_path / "redis")
    redis.Redis.from_url(embedded.url).set("kept", "yes")
    running = Supervisor(embedded.url, Queues(redis_client), said.append, redis=embedded)
    embedded.process.kill()
    embedded.process.wait()
    running.tick()
    assert running.redis is not None and running.redis is not embedded
    assert running.redis.port == embedded.port
    assert redis.Redis.from_url(running.redis.url).get("kept") == b"yes"
    assert "the embedded Redis exited" in said[0]
    running.stop(timeout=5)
