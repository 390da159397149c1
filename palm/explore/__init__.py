"""Explore, the read side: history (filtered, keyset-paginated, CSV), trends (raw and from
the rollups), comparisons of 2–4 readings, shares between accounts, and the Redis cache in
front of them. ``Explorer`` owns its short read transactions; ``operations`` the writes."""

from palm.explore.cache import CacheStats, cache_stats, rotate_cached_views
from palm.explore.compare import METRICS as COMPARE_METRICS
from palm.explore.compare import CompareError, CompareItem, LineSnapshot
from palm.explore.compare_report import (
    Choice,
    Comparison,
    comparable_choices,
    compare_readings,
    first_and_latest,
    left_and_right_of_latest,
)
from palm.explore.explorer import Explorer
from palm.explore.history import Cursor, HistoryPage, HistoryRow
from palm.explore.operations import (
    record_comparison,
    revoke_share,
    set_shows_email,
    share_notices,
    share_reading,
    shows_email,
)
from palm.explore.query import ExploreFilter, Viewer, deployment_secret, pseudonym
from palm.explore.shares import ShareError, ShareRow, is_shared_with, shared_with, shares_by
from palm.explore.trend_types import DayCount, LineMetricPoint, PresenceCount, ShapeCount

__all__ = [
    "COMPARE_METRICS",
    "CacheStats",
    "Choice",
    "CompareError",
    "CompareItem",
    "Comparison",
    "Cursor",
    "DayCount",
    "ExploreFilter",
    "Explorer",
    "HistoryPage",
    "HistoryRow",
    "LineMetricPoint",
    "LineSnapshot",
    "PresenceCount",
    "ShapeCount",
    "ShareError",
    "ShareRow",
    "Viewer",
    "cache_stats",
    "comparable_choices",
    "compare_readings",
    "deployment_secret",
    "first_and_latest",
    "is_shared_with",
    "left_and_right_of_latest",
    "pseudonym",
    "record_comparison",
    "revoke_share",
    "rotate_cached_views",
    "set_shows_email",
    "share_notices",
    "share_reading",
    "shared_with",
    "shares_by",
    "shows_email",
]
