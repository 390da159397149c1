"""Fault-drill fixtures: a Redis server the drill owns (it stops and starts it; the machine's
Redis is never touched), with an append-only file like the launcher's embedded one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from palm.infra import EmbeddedRedis, start_embedded_redis


@dataclass
class OwnRedis:
    """A redis-server on a fixed port and data directory, to stop and start again."""

    server: EmbeddedRedis

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        """SIGTERM, as an operator's restart would: Redis flushes its append-only file."""
        self.server.stop()

    def start(self) -> None:
        self.server = start_embedded_redis(
            self.server.data_dir, port=self.server.port, persist=True
        )


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    redis = OwnRedis(start_embedded_redis(tmp_path / "redis", persist=True))
    yield redis
    redis.server.stop()


@pytest.fixture
def drill_env(db_url: str, own_redis: OwnRedis, tmp_path: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": db_url,
        "REDIS_URL": own_redis.url,
        "PALM_DATA_DIR": str(tmp_path / "data"),
    }
