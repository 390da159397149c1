"""Photos through the real queue vs inline: throughput and submit-to-done latency.

    .venv/bin/python bench/pipeline.py [--photos 50] [--workers 2]

Uses REDIS_URL / DATABASE_URL when set, else an embedded Redis and a temporary SQLite file.
Prints photos/s with N workers, p50/p95 submit-to-done latency, and the per-photo overhead
of the queue (one photo in flight at a time) relative to the same work done inline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import users
from palm.db import make_engine, make_session_factory, transaction
from palm.infra import BlobStore, load_cipher, start_embedded_redis
from palm.jobs import QUEUE_NAMES, JobPolicy, Queues
from palm.migrate import upgrade_to_head
from palm.models import Reading
from palm.readings import BatchLimits, Upload, run_analysis, submit_batch
from palm.settings import PROJECT_ROOT, Settings
from palm.vocabulary import Role

PALMS = PROJECT_ROOT / "tests" / "data" / "palms"
SAMPLES = ["palm_f_hanging.jpg", "palm_m_hanging.jpg", "palm_left_dark_sideways.jpg"]
LIMITS = BatchLimits(
    max_files=100,
    max_bytes=20 * 1024 * 1024,
    policy=JobPolicy(timeout=300, result_ttl=3600, failure_ttl=3600),
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def start_workers(
    count: int, redis_url: str, db_url: str, data_dir: Path
) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": db_url,
        "PALM_DATA_DIR": str(data_dir),
    }
    rq = str(Path(sys.executable).with_name("rq"))
    return [
        subprocess.Popen(
            [
                rq,
                "worker",
                "--url",
                redis_url,
                "--path",
                str(PROJECT_ROOT),
                "-w",
                "workers.worker.PalmWorker",
                "-q",
                *QUEUE_NAMES,
            ],
            env=env,
            cwd=PROJECT_ROOT,
        )
        for _ in range(count)
    ]


def wait_done(factory: sessionmaker[Session], ids: list[int], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with transaction(factory) as session:
            states = session.scalars(select(Reading.status).where(Reading.id.in_(ids))).all()
        if all(state in ("done", "failed") for state in states):
            return
        time.sleep(0.02)
    raise TimeoutError("readings did not finish")


def latencies(factory: sessionmaker[Session], ids: list[int]) -> list[float]:
    with transaction(factory) as session:
        rows = session.scalars(select(Reading).where(Reading.id.in_(ids))).all()
        failed = [r.error_code or "?" for r in rows if r.status != "done"]
        if failed:
            print(f"  warning: {len(failed)} readings failed: {sorted(set(failed))}")
        return [((r.finished_at - r.created_at).total_seconds()) for r in rows if r.finished_at]


def upload(index: int) -> Upload:
    name = SAMPLES[index % len(SAMPLES)]
    return Upload(f"{index}-{name}", (PALMS / name).read_bytes())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sequential", type=int, default=10)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="palm-bench-"))
    redis_server = (
        None
        if os.environ.get("REDIS_URL")
        else start_embedded_redis(data_dir / "redis", persist=False)
    )
    redis_url = os.environ.get("REDIS_URL") or redis_server.url  # type: ignore[union-attr]
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'bench.db'}"
    upgrade_to_head(db_url)
    settings = Settings(palm_data_dir=data_dir, redis_url=redis_url, database_url=db_url)
    cipher = load_cipher(settings)
    factory = make_session_factory(make_engine(db_url, cipher=cipher))
    store = BlobStore(data_dir / "images", cipher)
    redis = Redis.from_url(redis_url)
    queues = Queues(redis)
    with transaction(factory) as session:
        user = users.create_user(
            session, f"bench{time.time_ns()}@example.com", "correct horse battery", Role.USER
        ).id

    print(f"inline: {args.sequential} photos analysed in this process")
    batch = submit_batch(
        factory,
        Queues(Redis.from_url("redis://127.0.0.1:1")),
        store,
        user_id=user,
        uploads=[upload(n) for n in range(args.sequential)],
        analysis_types=["full"],
        limits=LIMITS,
    )  # rows only: Redis refused
    with transaction(factory) as session:
        ids = session.scalars(select(Reading.id).where(Reading.batch_id == batch.batch_id)).all()
    inline = []
    run_analysis(factory, store, redis, None, settings, ids[0], lambda _s, _p: None)  # warm-up
    for reading_id in ids:
        started = time.perf_counter()
        run_analysis(factory, store, redis, None, settings, reading_id, lambda _s, _p: None)
        inline.append(time.perf_counter() - started)
    workers = start_workers(args.workers, redis_url, db_url, data_dir)
    try:
        time.sleep(2.0)  # let the workers import the vision stack before timing
        sequential = []
        for n in range(args.sequential):
            batch = submit_batch(
                factory,
                queues,
                store,
                user_id=user,
                uploads=[upload(n)],
                analysis_types=["full"],
                limits=LIMITS,
            )
            wait_done(factory, batch.reading_ids)
            sequential += latencies(factory, batch.reading_ids)
        started = time.perf_counter()
        batch = submit_batch(
            factory,
            queues,
            store,
            user_id=user,
            uploads=[upload(n) for n in range(args.photos)],
            analysis_types=["full"],
            limits=LIMITS,
        )
        wait_done(factory, batch.reading_ids)
        wall = time.perf_counter() - started
        loaded = latencies(factory, batch.reading_ids)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait()
        if redis_server is not None:
            redis_server.stop()
    p50_inline, p50_queue = statistics.median(inline), statistics.median(sequential)
    print(
        f"inline per photo:          p50 {p50_inline * 1000:.0f} ms  "
        f"p95 {percentile(inline, 0.95) * 1000:.0f} ms"
    )
    print(
        f"queued, one in flight:     p50 {p50_queue * 1000:.0f} ms  "
        f"p95 {percentile(sequential, 0.95) * 1000:.0f} ms  "
        f"overhead ratio {p50_queue / p50_inline:.2f}x"
    )
    print(
        f"{args.photos} photos, {args.workers} workers: {args.photos / wall:.2f} photos/s, "
        f"submit-to-done p50 {statistics.median(loaded):.2f} s  "
        f"p95 {percentile(loaded, 0.95):.2f} s"
    )


if __name__ == "__main__":
    main()
