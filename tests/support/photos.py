"""Real palm photos committed under tests/data/palms, and the batch limits tests submit with."""

from __future__ import annotations

from palm.jobs import JobPolicy
from palm.readings import BatchLimits
from palm.settings import PROJECT_ROOT

PALMS = PROJECT_ROOT / "tests" / "data" / "palms"
LIMITS = BatchLimits(
    max_files=5,
    max_bytes=5 * 1024 * 1024,
    policy=JobPolicy(timeout=120, result_ttl=3600, failure_ttl=3600, retries=0),
)


def photo(name: str) -> bytes:
    return (PALMS / name).read_bytes()
