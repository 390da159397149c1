"""The analyst's filter matrix: every History filter alone and in combination, for every read
the History page makes (count, first page, the four charts), uncached and cached.

    DATABASE_URL=sqlite:////tmp/bench/s1m.db .venv/bin/python bench/explore.py --matrix
    .venv/bin/python bench/explore_matrix.py --runs 10      # the matrix alone

An uncached read goes straight to the database (an Explorer without Redis); *cold* is its
first run, p50/p95 over the runs after it; *cached* is the p50 through Redis once filled. A
read whose cold run exceeds ``--slow`` seconds is timed once (its p50/p95 are that run, its
cached figure is left out): a raw text search over a million readings takes tens of seconds,
and thirty of those would not finish in a working session.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis

from palm.explore.explorer import Explorer
from palm.explore.query import ExploreFilter, Viewer

Read = Callable[[Explorer, Viewer, ExploreFilter], object]

SIX_MONTHS = {"date_from": date(2025, 6, 1), "date_to": date(2025, 11, 30)}
#: Each filter of the bar alone, then the combinations an analyst builds up.
FILTERS: dict[str, ExploreFilter] = {
    "none": ExploreFilter(),
    "date 6 mo": ExploreFilter(**SIX_MONTHS),
    "hand left": ExploreFilter(hands=("left",)),
    "status failed": ExploreFilter(statuses=("failed",)),
    "engine llm": ExploreFilter(engines=("llm:gpt-4o-mini",)),
    "type love": ExploreFilter(analysis_types=("love",)),
    "types love+career": ExploreFilter(analysis_types=("career", "love")),
    "confidence 0.5-1": ExploreFilter(confidence_min=0.5),
    "line fate found": ExploreFilter(line="fate", line_found=True),
    "any line not found": ExploreFilter(line_found=False),
    "fate, partial months": ExploreFilter(
        date_from=date(2025, 6, 15), date_to=date(2025, 11, 14), line="fate", line_found=True
    ),
    "engine+fate": ExploreFilter(engines=("llm:gpt-4o-mini",), line="fate", line_found=True),
    "fate found conf≥0.8": ExploreFilter(line="fate", line_found=True, confidence_min=0.8),
    "confidence 0.2-0.6": ExploreFilter(confidence_min=0.2, confidence_max=0.6),
    "date+engine+conf": ExploreFilter(**SIX_MONTHS, engines=("offline",), confidence_min=0.7),
    "type+hand+conf≤0.4": ExploreFilter(
        analysis_types=("love",), hands=("right",), confidence_max=0.4
    ),
    "text 'courage'": ExploreFilter(text="courage"),
    "date+hand+status": ExploreFilter(**SIX_MONTHS, hands=("left",), statuses=("done",)),
    "engine+type": ExploreFilter(engines=("llm:gpt-4o-mini",), analysis_types=("love",)),
    "date+engine+type+fate": ExploreFilter(
        **SIX_MONTHS,
        engines=("offline",),
        analysis_types=("career",),
        line="fate",
        line_found=True,
    ),
    "everything + text": ExploreFilter(
        **SIX_MONTHS,
        hands=("left",),
        engines=("offline",),
        analysis_types=("career",),
        line="heart",
        line_found=True,
        confidence_min=0.5,
        text="bold",
    ),
}
READS: dict[str, Read] = {
    "count": lambda e, v, f: e.count(v, f),
    "page": lambda e, v, f: e.page(v, f),
    "per day": lambda e, v, f: e.per_day(v, f),
    "metrics": lambda e, v, f: e.line_metrics(v, f, "month"),
    "shapes": lambda e, v, f: e.shapes(v, f),
    "presence": lambda e, v, f: e.presence(v, f),
}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def cell(
    read: Read,
    uncached: Explorer,
    cached: Explorer,
    viewer: Viewer,
    criteria: ExploreFilter,
    runs: int,
    slow_ms: float,
) -> tuple[float, float, float, float]:
    """cold, p50, p95 uncached; p50 cached (ms; NaN when the read was too slow to repeat)."""
    cold = timed(lambda: read(uncached, viewer, criteria))
    if cold > slow_ms:
        return cold, cold, cold, math.nan
    direct = [timed(lambda: read(uncached, viewer, criteria)) for _ in range(runs)]
    read(cached, viewer, criteria)  # fill
    hot = [timed(lambda: read(cached, viewer, criteria)) for _ in range(runs)]
    return cold, percentile(direct, 0.5), percentile(direct, 0.95), percentile(hot, 0.5)


def run_matrix(
    uncached: Explorer,
    cached: Explorer,
    viewer: Viewer,
    runs: int,
    slow_s: float,
    only: list[str] | None = None,
) -> list[tuple[str, str, tuple[float, float, float, float]]]:
    """Prints one line per filter × read and returns the figures."""
    print(f"\nfilter matrix, viewer {viewer.role.value}; ms: cold | p50 p95 uncached | cached p50")
    print(f"  {'filter':24} {'read':9} {'cold':>9} {'p50':>9} {'p95':>9} {'cached':>7}")
    results = []
    for name, criteria in FILTERS.items():
        if only and name not in only:
            continue
        for label, read in READS.items():
            figures = cell(read, uncached, cached, viewer, criteria, runs, slow_s * 1000)
            cold, p50, p95, hot = figures
            flag = "" if p95 <= (50 if criteria.text else 20) else "  > goal"
            print(
                f"  {name:24} {label:9} {cold:9.1f} {p50:9.1f} {p95:9.1f} {hot:7.2f}{flag}",
                flush=True,
            )
            results.append((name, label, figures))
    return results


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def load_mirror(explorer: Explorer) -> None:
    """Load the columnar mirror before timing (a process does it once, in the background)."""
    before, started = rss_mb(), time.perf_counter()
    if not explorer.mirror.wait_loaded(timeout=3600):
        raise SystemExit("the mirror did not load")
    print(
        f"mirror loaded in {time.perf_counter() - started:.1f} s, RSS +{rss_mb() - before:.0f} MB"
    )


def main() -> None:
    from palm.db import make_engine, make_session_factory
    from palm.infra import invalidate_users, load_cipher
    from palm.settings import get_settings
    from palm.vocabulary import Role

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--slow", type=float, default=1.0, help="seconds: time once beyond")
    parser.add_argument("--only", nargs="*", help="filter names to run")
    parser.add_argument("--no-mirror", action="store_true", help="the raw queries instead")
    args = parser.parse_args()
    cipher = load_cipher(get_settings())
    engine = make_engine(os.environ["DATABASE_URL"], cipher=cipher)
    factory = make_session_factory(engine)
    redis = Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/7"))
    analyst = Viewer(1001, Role.ANALYST, b"bench")
    invalidate_users(redis, [1001])
    print(f"{engine.dialect.name}; load {os.getloadavg()[0]:.2f}")
    uncached = Explorer(factory, None, cipher, mirror=not args.no_mirror)
    cached = Explorer(factory, redis, cipher, mirror=not args.no_mirror)
    cached.mirror = uncached.mirror  # one copy in memory
    if not args.no_mirror:
        load_mirror(uncached)
    run_matrix(
        uncached,
        cached,
        analyst,
        args.runs,
        args.slow,
        args.only,
    )
    engine.dispose()


if __name__ == "__main__":
    main()
