"""The explore pages' reads, through the Redis cache: what the UI calls.

Hot reads (the history first page, every trends aggregate, comparisons) are cached under the
viewer's scope and generation (see palm.explore.cache); deeper pages and CSV go to the
database. Each read owns its own short transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from cryptography.fernet import MultiFernet
from pydantic import TypeAdapter
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore import export, history, trends
from palm.explore.cache import DEFAULT_TTL, ExploreCache
from palm.explore.compare_report import Comparison, compare_readings
from palm.explore.mirror import Mirror
from palm.explore.query import ExploreFilter, Viewer
from palm.infra import ActionLimits, enforce
from palm.models import Reading
from palm.vocabulary import Granularity

T = TypeVar("T")
PAGE = TypeAdapter(history.HistoryPage)
PER_DAY = TypeAdapter(list[trends.DayCount])
METRICS = TypeAdapter(list[trends.LineMetricPoint])
SHAPES = TypeAdapter(list[trends.ShapeCount])
PRESENCE = TypeAdapter(list[trends.PresenceCount])
ENGINES = TypeAdapter(list[str])
COMPARISON = TypeAdapter(Comparison)


class Explorer:
    """Cached explore reads for one process (a page run, a bench, a test); the cipher seals
    what the cache stores."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        redis: Redis | None,
        cipher: MultiFernet,
        ttl_seconds: int = DEFAULT_TTL,
        *,
        mirror: bool = True,
    ) -> None:
        self.factory = factory
        self.cache = ExploreCache(redis, cipher, ttl_seconds)
        #: The analysts' columnar copy (palm.explore.mirror), loaded on the first read that
        #: needs it; ``mirror=False``: those reads stay raw.
        self.mirror = Mirror(factory, enabled=mirror)

    def _read(self, work: Callable[[Session], T]) -> Callable[[], T]:
        def run() -> T:
            with transaction(self.factory) as session:
                return work(session)

        return run

    def page(
        self,
        viewer: Viewer,
        criteria: ExploreFilter,
        after: history.Cursor | None = None,
        limit: int = history.PAGE_SIZE,
    ) -> history.HistoryPage:
        """A history page; the first one of the default size is cached unless a worker will
        still change a row (the REST API asks for other sizes)."""
        compute = self._read(
            lambda s: history.history_page(
                s, viewer, criteria, after=after, limit=limit, mirror=self.mirror
            )
        )
        if after is not None or limit != history.PAGE_SIZE:
            return compute()
        return self.cache.fetch(
            "page", viewer, criteria.digest(), compute, PAGE, keep=lambda p: not p.in_flight
        )

    def count(self, viewer: Viewer, criteria: ExploreFilter) -> int:
        compute = self._read(
            lambda s: history.count_matching(s, viewer, criteria, mirror=self.mirror)
        )
        return self.cache.fetch("count", viewer, criteria.digest(), compute, TypeAdapter(int))

    def per_day(self, viewer: Viewer, criteria: ExploreFilter) -> list[trends.DayCount]:
        compute = self._read(
            lambda s: trends.readings_per_day(s, viewer, criteria, mirror=self.mirror)
        )
        return self.cache.fetch("per_day", viewer, criteria.digest(), compute, PER_DAY)

    def line_metrics(
        self, viewer: Viewer, criteria: ExploreFilter, granularity: Granularity
    ) -> list[trends.LineMetricPoint]:
        compute = self._read(
            lambda s: trends.line_metrics_over_time(
                s, viewer, criteria, granularity, mirror=self.mirror
            )
        )
        params = f"{granularity}:{criteria.digest()}"
        return self.cache.fetch("metrics", viewer, params, compute, METRICS)

    def shapes(self, viewer: Viewer, criteria: ExploreFilter) -> list[trends.ShapeCount]:
        compute = self._read(lambda s: trends.hand_shapes(s, viewer, criteria, mirror=self.mirror))
        return self.cache.fetch("shapes", viewer, criteria.digest(), compute, SHAPES)

    def presence(self, viewer: Viewer, criteria: ExploreFilter) -> list[trends.PresenceCount]:
        compute = self._read(
            lambda s: trends.line_presence(s, viewer, criteria, mirror=self.mirror)
        )
        return self.cache.fetch("presence", viewer, criteria.digest(), compute, PRESENCE)

    def engines(self, viewer: Viewer) -> list[str]:
        """Filter-bar options: cached by TTL only (a new engine may show up minutes late)."""
        compute = self._read(lambda s: trends.engines_in_use(s, viewer))
        return self.cache.fetch("engines", viewer, "-", compute, ENGINES, exact=False)

    def compare(self, viewer: Viewer, reading_ids: Sequence[int]) -> Comparison:
        """Cached under the viewer's generation and the readings' owners' ones, so a revoked
        share or a deleted reading is never compared from cache."""
        ids = list(reading_ids)
        owners = self._read(
            lambda s: list(s.scalars(select(Reading.user_id).where(Reading.id.in_(ids))))
        )()
        compute = self._read(lambda s: compare_readings(s, viewer, ids))
        params = "-".join(str(i) for i in ids)
        return self.cache.fetch("compare", viewer, params, compute, COMPARISON, owners=owners)

    def csv_export(
        self,
        viewer: Viewer,
        criteria: ExploreFilter,
        *,
        rate: ActionLimits | None = None,
        address: str = "",
    ) -> Iterator[str]:
        """The download counted against the ``rate`` limits of the account and the client
        address at once (RateLimitedError, audited, before a row is read), then the CSV."""
        target = "history.csv"
        enforce(self.factory, rate, user_id=viewer.user_id, address=address, target=target)
        return self.csv_chunks(viewer, criteria)

    def csv_chunks(self, viewer: Viewer, criteria: ExploreFilter) -> Iterator[str]:
        """The filtered set as CSV, streamed (never cached: it can be a million rows)."""
        with transaction(self.factory) as session:
            yield from export.export_csv(session, viewer, criteria)

    def ndjson_export(
        self,
        viewer: Viewer,
        criteria: ExploreFilter,
        *,
        rate: ActionLimits | None = None,
        address: str = "",
    ) -> Iterator[str]:
        """Like ``csv_export``, as NDJSON (counted as the same kind of download)."""
        target = "history.ndjson"
        enforce(self.factory, rate, user_id=viewer.user_id, address=address, target=target)
        return self._ndjson_chunks(viewer, criteria)

    def _ndjson_chunks(self, viewer: Viewer, criteria: ExploreFilter) -> Iterator[str]:
        with transaction(self.factory) as session:
            yield from export.export_ndjson(session, viewer, criteria)
