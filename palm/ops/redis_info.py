"""Redis as INFO reports it, and how its keys divide between Palmline's uses."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from redis import Redis
from redis.exceptions import RedisError

#: Key prefixes by use, first match wins; everything else is "other".
KEY_GROUPS: tuple[tuple[str, str], ...] = (
    ("palm:cache:", "cache"),
    ("palm:session:", "sessions"),
    ("palm:user-sessions:", "sessions"),
    ("palm:signin-", "sign-in"),
    ("LIMITS", "rate limits"),
    ("rq:", "queues"),
    ("palm:metrics:", "metrics"),
)
#: Keys counted per look; past this the counts say so (SCAN is cheap, but not free).
SCAN_CAP = 200_000


@dataclass(frozen=True)
class RedisReport:
    reachable: bool
    error: str = ""
    version: str = ""
    uptime_seconds: int = 0
    used_memory: int = 0
    peak_memory: int = 0
    max_memory: int = 0  # 0: no limit
    ops_per_sec: int = 0
    clients: int = 0
    hits: int = 0
    misses: int = 0
    evicted: int = 0
    keys: dict[str, int] = field(default_factory=dict)
    keys_capped: bool = False

    @property
    def hit_rate(self) -> float | None:
        looked = self.hits + self.misses
        return self.hits / looked if looked else None

    @property
    def memory_share(self) -> float | None:
        return self.used_memory / self.max_memory if self.max_memory else None


def _group(key: bytes) -> str:
    text = key.decode(errors="replace")
    for prefix, group in KEY_GROUPS:
        if text.startswith(prefix):
            return group
    return "other"


def key_counts(redis: Redis, *, cap: int = SCAN_CAP) -> tuple[dict[str, int], bool]:
    counts: Counter[str] = Counter()
    for seen, key in enumerate(redis.scan_iter(count=1000), start=1):
        counts[_group(key)] += 1
        if seen >= cap:
            return dict(counts), True
    return dict(counts), False


def redis_report(redis: Redis, *, with_keys: bool = True) -> RedisReport:
    """INFO essentials and keys per use, or why Redis did not answer."""
    try:
        info = redis.info()
        keys, capped = key_counts(redis) if with_keys else ({}, False)
    except (RedisError, OSError) as exc:
        return RedisReport(reachable=False, error=str(exc))
    return RedisReport(
        reachable=True,
        version=str(info.get("redis_version", "")),
        uptime_seconds=int(info.get("uptime_in_seconds", 0)),
        used_memory=int(info.get("used_memory", 0)),
        peak_memory=int(info.get("used_memory_peak", 0)),
        max_memory=int(info.get("maxmemory", 0)),
        ops_per_sec=int(info.get("instantaneous_ops_per_sec", 0)),
        clients=int(info.get("connected_clients", 0)),
        hits=int(info.get("keyspace_hits", 0)),
        misses=int(info.get("keyspace_misses", 0)),
        evicted=int(info.get("evicted_keys", 0)),
        keys=keys,
        keys_capped=capped,
    )
