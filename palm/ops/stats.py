"""Small figures the console computes from raw samples: percentiles and per-minute rates."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0–100) by linear interpolation between ranks (numpy's default);
    None without samples."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def per_minute(count: int, seconds: float) -> float:
    return count / (seconds / 60) if seconds > 0 else 0.0
