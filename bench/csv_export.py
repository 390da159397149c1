"""The History CSV export's rate: rows/s p50 over a few runs and the peak RSS it adds.

    DATABASE_URL=sqlite:////tmp/bench/s150k.db .venv/bin/python bench/csv_export.py [--runs 3]
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/palm_bench .venv/bin/python \
        bench/csv_export.py

Expects a database filled by bench/seed.py (user 1 is the heavy user, user 1001 the analyst)
and the keys the seed sealed it with (PALM_ENCRYPTION_KEYS, else the development key). Streams
``Explorer.csv_chunks`` (what the History download and the API's CSV call) to nowhere for: the
analyst over everyone, the analyst with one filter (engine, type, line + confidence, text), and
the heavy user's own rows.
Prints the CPU time per row of this process and of the PostgreSQL backend (the figures the
load on a shared machine changes least) and the load average: compare ratios taken close
together.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psutil
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from palm.db import make_engine, make_session_factory, transaction
from palm.explore.explorer import Explorer
from palm.explore.query import ExploreFilter, Viewer
from palm.infra import load_cipher
from palm.settings import get_settings
from palm.vocabulary import Role

ANALYST = Viewer(1001, Role.ANALYST, b"bench")
HEAVY = Viewer(1, Role.USER, b"bench")
CASES = (
    ("analyst, everyone", ANALYST, ExploreFilter()),
    ("analyst, engine llm", ANALYST, ExploreFilter(engines=("llm:gpt-4o-mini",))),
    ("analyst, type love", ANALYST, ExploreFilter(analysis_types=("love",))),
    (
        "analyst, fate found conf≥0.8",
        ANALYST,
        ExploreFilter(line="fate", line_found=True, confidence_min=0.8),
    ),
    ("analyst, any line not found", ANALYST, ExploreFilter(line_found=False)),
    ("analyst, text 'courage'", ANALYST, ExploreFilter(text="courage")),
    ("heavy user, own", HEAVY, ExploreFilter()),
)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def server_process(factory: sessionmaker[Session]) -> psutil.Process | None:
    """The PostgreSQL backend of the pool's connection (the pool keeps one here), to count
    the server's CPU time as well as ours."""
    with transaction(factory) as session:
        if session.get_bind().dialect.name != "postgresql":
            return None
        return psutil.Process(int(session.scalar(text("SELECT pg_backend_pid()")) or 0))


def cpu_seconds(process: psutil.Process | None) -> float:
    if process is None:
        return 0.0
    times = process.cpu_times()
    return float(times.user + times.system)


def export_once(
    explorer: Explorer, viewer: Viewer, criteria: ExploreFilter, server: psutil.Process | None
) -> tuple[int, float, float, float]:
    """Rows, wall seconds, this process's CPU seconds, the database server's CPU seconds."""
    started, cpu, served, rows = time.perf_counter(), time.process_time(), cpu_seconds(server), 0
    for chunk in explorer.csv_chunks(viewer, criteria):
        rows += chunk.count("\n")
    return (
        rows - 1,
        time.perf_counter() - started,
        time.process_time() - cpu,
        cpu_seconds(server) - served,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="case names to run (default: all)")
    args = parser.parse_args()
    cipher = load_cipher(get_settings())
    engine = make_engine(os.environ["DATABASE_URL"], cipher=cipher)
    factory = make_session_factory(engine)
    explorer = Explorer(factory, None, cipher)
    server = server_process(factory)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{engine.dialect.name}; runs per case: {args.runs}; load average {' '.join(load)}")
    for label, viewer, criteria in CASES:
        if args.only and label not in args.only:
            continue
        before = peak_rss_mb()
        rates, ours, theirs, rows = [], [], [], 0
        for _ in range(args.runs):
            rows, took, cpu, served = export_once(explorer, viewer, criteria, server)
            rates.append(rows / took)
            ours.append(cpu / rows * 1e6)
            theirs.append(served / rows * 1e6)
        print(
            f"  {label:22} {rows:>9,} rows  p50 {statistics.median(rates):>8,.0f} rows/s "
            f"(min {min(rates):,.0f}, max {max(rates):,.0f}); CPU per row: "
            f"ours {statistics.median(ours):.1f} µs, server {statistics.median(theirs):.1f} µs; "
            f"peak RSS +{peak_rss_mb() - before:.1f} MB"
        )
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"  load average after: {' '.join(load)}")
    engine.dispose()


if __name__ == "__main__":
    main()
