"""Explore reads at scale: history pages, trends aggregates and CSV, uncached and cached.

    DATABASE_URL=sqlite:////tmp/bench/s1m.db .venv/bin/python bench/explore.py [--runs 30]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/palm_bench .venv/bin/python bench/explore.py

Expects a database filled by bench/seed.py (user 1 is the heavy user, user 1001 the
analyst). Uses REDIS_URL when set (it FLUSHes nothing but its own counters), else an
embedded Redis. Prints p50/p95 per query for three viewers (a typical user, the heavy user,
an analyst over everyone), uncached (straight to the database) and cached (Redis), the CSV
export rate and memory, the hit rate of a scripted 100-page-view browse session, with
--matrix the analyst's filter matrix (bench/explore_matrix.py: every filter alone and
combined × every read, cold, p50/p95 uncached, cached), and with --apptest the AppTest run
time of the History page for the heavy user. bench/csv_export.py times the CSV export alone
(p50 over runs, CPU per row of this process and of the PostgreSQL backend).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench.explore_matrix import run_matrix
from palm.db import make_engine, make_session_factory, transaction
from palm.explore import cache as explore_cache
from palm.explore import history
from palm.explore.explorer import Explorer
from palm.explore.query import ExploreFilter, Viewer
from palm.infra import ensure_dev_key, invalidate_user, invalidate_users, load_cipher
from palm.infra.embedded_redis import start_embedded_redis
from palm.models import Reading
from palm.settings import get_settings
from palm.vocabulary import Role

ALL = ExploreFilter()
DEEP = ExploreFilter(
    hands=("left",), statuses=("done",), line="fate", line_found=True, confidence_min=0.5
)
#: Filters the trend rollups answer (date range + hand; a line for reading counts).
SPAN = ExploreFilter(date_from=date(2025, 6, 1), date_to=date(2025, 11, 30), hands=("left",))
FATE = ExploreFilter(line="fate", line_found=True)
Query = Callable[[Explorer], object]


#: The keys the seed sealed the rows with (bench/seed.py): PALM_ENCRYPTION_KEYS or the dev key.
CIPHER = load_cipher(get_settings())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timings(work: Callable[[], object], runs: int) -> list[float]:
    result = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        result.append((time.perf_counter() - started) * 1000)
    return result


def deep_cursor(factory: sessionmaker[Session], viewer: Viewer, depth: int) -> history.Cursor:
    """Where page `depth / 50` of the DEEP filter starts (found once, outside the timing)."""
    with transaction(factory) as session:
        total = history.count_matching(session, viewer, DEEP)
        query = (
            history.rows_query(session, viewer, DEEP)
            .offset(min(depth, max(total - 60, 0)))
            .limit(1)
        )
        row = session.execute(query).one()
    return history.Cursor(row.created_at, row.id)


def queries(factory: sessionmaker[Session], viewer: Viewer) -> dict[str, tuple[Query, bool]]:
    """name → (read, goes through the cache)."""
    cursor = deep_cursor(factory, viewer, 50_000 if viewer.sees_everyone else 400)
    return {
        "history first page": (lambda e: e.page(viewer, ALL), True),
        "filtered deep page": (lambda e: e.page(viewer, DEEP, cursor), False),
        "count": (lambda e: e.count(viewer, ALL), True),
        "trend: per day": (lambda e: e.per_day(viewer, ALL), True),
        "trend: line metrics": (lambda e: e.line_metrics(viewer, ALL, "month"), True),
        "trend: hand shapes": (lambda e: e.shapes(viewer, ALL), True),
        "trend: line presence": (lambda e: e.presence(viewer, ALL), True),
        "trend: metrics, left, 6 mo": (lambda e: e.line_metrics(viewer, SPAN, "month"), True),
        "trend: presence, left, 6 mo": (lambda e: e.presence(viewer, SPAN), True),
        "trend: per day, fate found": (lambda e: e.per_day(viewer, FATE), True),
    }


def bench_viewer(
    name: str, factory: sessionmaker[Session], redis: Redis, viewer: Viewer, runs: int
) -> None:
    uncached, cached = Explorer(factory, None, CIPHER), Explorer(factory, redis, CIPHER)
    with transaction(factory) as session:
        rows = history.count_matching(session, viewer, ALL)
    print(f"\n{name} ({rows:,} readings in scope)")
    print(
        f"  {'query':28} {'cold':>8} {'p50':>8} {'p95':>8} | {'cached p50':>10} {'p95':>8} {'×':>6}"
    )
    for label, (read, through_cache) in queries(factory, viewer).items():
        cold = timings(partial(read, uncached), 1)[0]
        direct = timings(partial(read, uncached), runs)
        line = (
            f"  {label:28} {cold:8.1f} {percentile(direct, 0.5):8.1f} "
            f"{percentile(direct, 0.95):8.1f} |"
        )
        if through_cache:
            read(cached)  # fill
            hot = timings(partial(read, cached), runs)
            speedup = statistics.median(direct) / statistics.median(hot)
            line += f" {percentile(hot, 0.5):10.2f} {percentile(hot, 0.95):8.2f} {speedup:6.0f}"
        print(line + ("" if through_cache else "  (not cached: deep pages go to the database)"))


def bench_csv(
    factory: sessionmaker[Session], viewer: Viewer, label: str, criteria: ExploreFilter = ALL
) -> None:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started, size, rows = time.perf_counter(), 0, 0
    for chunk in Explorer(factory, None, CIPHER).csv_chunks(viewer, criteria):
        size += len(chunk)
        rows += chunk.count("\n")
    elapsed = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(
        f"  CSV export, {label}: {rows - 1:,} rows, {size / 1e6:.1f} MB "
        f"in {elapsed * 1000:,.0f} ms "
        f"({(rows - 1) / elapsed:,.0f} rows/s), peak RSS grew {grown:.0f} MB"
    )


def browse(factory: sessionmaker[Session], redis: Redis, viewer: Viewer, views: int = 100) -> None:
    """A person on History & trends: pages back and forth, tries filters, clears them; two
    readings finish meanwhile. Every view makes the page's reads (table, count, engines, four
    charts); pages after the first go to the database and are not counted as hits or misses."""
    explorer = Explorer(factory, redis, CIPHER)
    left, fate = ExploreFilter(hands=("left",)), ExploreFilter(line="fate", line_found=True)
    pattern = [
        (ALL, 0),
        (ALL, 1),
        (ALL, 2),
        (ALL, 1),
        (ALL, 0),
        (left, 0),
        (left, 1),
        (ALL, 0),
        (fate, 0),
        (ALL, 0),
    ]
    before = explore_cache.cache_stats(redis)
    assert before is not None, "Redis does not answer"
    for view in range(views):
        criteria, depth = pattern[view % len(pattern)]
        page = explorer.page(viewer, criteria)
        for _ in range(depth):
            if page.next_cursor is not None:
                page = explorer.page(viewer, criteria, page.next_cursor)
        explorer.count(viewer, criteria)
        explorer.engines(viewer)
        explorer.per_day(viewer, criteria)
        explorer.line_metrics(viewer, criteria, "day")
        explorer.shapes(viewer, criteria)
        explorer.presence(viewer, criteria)
        if view in (33, 66):  # a reading finishes: the worker bumps the generation
            invalidate_user(redis, viewer.user_id)
    after = explore_cache.cache_stats(redis)
    assert after is not None, "Redis does not answer"
    hits, misses = after.hits - before.hits, after.misses - before.misses
    print(
        f"\nbrowse session, {views} page views (10-step pattern, 2 writes): "
        f"{hits} hits, {misses} misses, hit rate {hits / (hits + misses):.1%}"
    )


def apptest(db_url: str, redis_url: str, runs: int) -> None:
    """The History page's script run time for the heavy user, through Streamlit's AppTest."""
    from streamlit.testing.v1 import AppTest

    from palm.settings import PROJECT_ROOT

    settings = get_settings()
    keys = settings.palm_encryption_keys
    os.environ.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        PALM_DATA_DIR=tempfile.mkdtemp(prefix="palm-apptest-"),
        # the keys the rows were sealed with (the seed's), not a new dev key in the temp dir
        PALM_ENCRYPTION_KEYS=keys.get_secret_value()
        if keys is not None
        else ensure_dev_key(settings.palm_data_dir),
    )
    get_settings.cache_clear()
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=60)
    app.session_state["auth_user_id"] = 1
    app.run()
    app.switch_page("views/history.py")
    first = timings(app.run, 1)[0]
    assert not app.exception, app.exception
    again = timings(app.run, runs)
    print(
        f"\nAppTest History page, heavy user: first run {first:.0f} ms, then "
        f"p50 {percentile(again, 0.5):.0f} ms, p95 {percentile(again, 0.95):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--apptest", action="store_true")
    parser.add_argument("--skip-analyst-csv", action="store_true")
    parser.add_argument("--matrix", action="store_true", help="the analyst's filter matrix too")
    parser.add_argument("--slow", type=float, default=1.0, help="matrix: time once beyond (s)")
    args = parser.parse_args()
    db_url = os.environ["DATABASE_URL"]
    server = (
        None
        if os.environ.get("REDIS_URL")
        else start_embedded_redis(Path(tempfile.mkdtemp(prefix="palm-bench-redis-")), persist=False)
    )
    redis_url = os.environ.get("REDIS_URL") or server.url  # type: ignore[union-attr]
    redis = Redis.from_url(redis_url)
    engine = make_engine(db_url, cipher=CIPHER)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        total = session.scalar(select(func.count(Reading.id))) or 0
    print(f"{engine.dialect.name}: {total:,} readings; runs per figure: {args.runs}; ms")
    typical = Viewer(2, Role.USER, b"bench")
    heavy = Viewer(1, Role.USER, b"bench")
    analyst = Viewer(1001, Role.ANALYST, b"bench")
    invalidate_users(redis, [1, 2, 1001])  # start from cold keys
    for name, viewer in (("typical user", typical), ("heavy user", heavy), ("analyst", analyst)):
        bench_viewer(name, factory, redis, viewer, args.runs)
    print()
    bench_csv(factory, typical, "typical user")
    bench_csv(factory, heavy, "heavy user")
    if not args.skip_analyst_csv:
        bench_csv(factory, analyst, "analyst, everyone")
    browse(factory, redis, typical)
    if args.matrix:
        uncached, cached = Explorer(factory, None, CIPHER), Explorer(factory, redis, CIPHER)
        run_matrix(uncached, cached, analyst, args.runs, args.slow)
        bench_csv(
            factory, analyst, "analyst, engine llm", ExploreFilter(engines=("llm:gpt-4o-mini",))
        )
    if args.apptest:
        apptest(db_url, redis_url, 10)
    engine.dispose()
    if server is not None:
        server.stop()


if __name__ == "__main__":
    main()
