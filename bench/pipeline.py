"""Photos through the real queue vs inline: where one photo's time goes, throughput with
1, 2, 4… workers, submit-to-done latency and the queue's overhead.

    .venv/bin/python bench/pipeline.py [--photos 40] [--workers 1,2,4] [--sequential 10]

Uses REDIS_URL / DATABASE_URL when set, else an embedded Redis and a temporary SQLite file.
The inline path runs with the same real Redis (cache generations, progress in job.meta and
the jobs row, as a worker writes them) before any worker starts. Prints the per-stage split
of one inline analysis (medians), the engine alone, the inline/engine ratio, photos/s and
parallel efficiency per worker count (from the moment the batch is queued: storing the
photos is the submitting process's work; the rate from the submit call is printed beside it),
and the overhead of the queue (one photo in flight) relative to inline. The load average is
printed with each figure: the machine is shared.
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
from rq import Worker
from rq.job import Job as RQJob
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bench.stages import StageClock
from palm.accounts import users
from palm.db import make_engine, make_session_factory, transaction
from palm.infra import BlobStore, load_cipher, start_embedded_redis
from palm.jobs import QUEUE_NAMES, JobPolicy, Queues
from palm.migrate import upgrade_to_head
from palm.models import Job, Reading
from palm.readings import BatchLimits, Upload, run_analysis, submit_batch
from palm.settings import PROJECT_ROOT, Settings, get_settings
from palm.vision import analyze_bytes_with_image
from palm.vocabulary import Role
from workers.tracking import ProgressWriter

PALMS = PROJECT_ROOT / "tests" / "data" / "palms"
SAMPLES = ["palm_f_hanging.jpg", "palm_m_hanging.jpg", "palm_left_dark_sideways.jpg"]
LIMITS = BatchLimits(
    max_files=100,
    max_bytes=20 * 1024 * 1024,
    policy=JobPolicy(timeout=300, result_ttl=3600, failure_ttl=3600),
)


class Bench:
    """One bench run's clients: database, Redis, blobs and one account."""

    def __init__(self, data_dir: Path, redis_url: str, db_url: str) -> None:
        self.data_dir, self.redis_url, self.db_url = data_dir, redis_url, db_url
        upgrade_to_head(db_url)
        self.settings = Settings(palm_data_dir=data_dir, redis_url=redis_url, database_url=db_url)
        cipher = load_cipher(self.settings)
        self.factory = make_session_factory(make_engine(db_url, cipher=cipher))
        self.store = BlobStore(data_dir / "images", cipher)
        self.redis = Redis.from_url(redis_url)
        self.queues = Queues(self.redis)
        with transaction(self.factory) as session:
            email = f"bench{time.time_ns()}@example.com"
            self.user = users.create_user(session, email, "correct horse battery", Role.USER).id

    def submit(self, first: int, count: int) -> list[int]:
        uploads = [upload(n) for n in range(first, first + count)]
        batch = submit_batch(
            self.factory,
            self.queues,
            self.store,
            user_id=self.user,
            uploads=uploads,
            analysis_types=["full"],
            limits=LIMITS,
            allow_copies=True,
        )
        return batch.reading_ids

    def analyse_inline(self, reading_id: int, clock: StageClock) -> tuple[float, float]:
        """run_analysis in this process, with the worker's own progress writer; returns its
        wall and CPU time."""
        with transaction(self.factory) as session:
            rq_id = session.scalars(select(Job.rq_id).where(Job.reading_id == reading_id)).one()
        writer = clock.timed("progress writes", ProgressWriter(RQJob.fetch(rq_id, self.redis)))
        return clock.photo(
            lambda: run_analysis(
                self.factory, self.store, self.redis, None, self.settings, reading_id, writer
            )
        )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


def upload(index: int) -> Upload:
    """A distinct photo per index (bytes after the JPEG's end are ignored by decoders): each
    is stored, thumbnailed and read as a new photo, as a person's photos are."""
    name = SAMPLES[index % len(SAMPLES)]
    return Upload(f"{index}-{name}", (PALMS / name).read_bytes() + f"#{index}".encode())


def start_workers(count: int, bench: Bench) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "REDIS_URL": bench.redis_url,
        "DATABASE_URL": bench.db_url,
        "PALM_DATA_DIR": str(bench.data_dir),
    }
    rq = str(Path(sys.executable).with_name("rq"))
    command = [rq, "worker", "--url", bench.redis_url, "--path", str(PROJECT_ROOT)]
    command += ["-w", "workers.worker.PalmWorker", "-q", *QUEUE_NAMES]
    return [
        subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stderr=subprocess.DEVNULL)
        for _ in range(count)
    ]


def stop(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait()


def wait_until(condition: object, what: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(0.02)


def finished(factory: sessionmaker[Session], ids: list[int]) -> bool:
    with transaction(factory) as session:
        states = session.scalars(select(Reading.status).where(Reading.id.in_(ids))).all()
    return all(state in ("done", "failed") for state in states)


def latencies(factory: sessionmaker[Session], ids: list[int]) -> list[float]:
    with transaction(factory) as session:
        rows = session.scalars(select(Reading).where(Reading.id.in_(ids))).all()
        failed = [r.error_code or "?" for r in rows if r.status != "done"]
        if failed:
            print(f"  warning: {len(failed)} readings failed: {sorted(set(failed))}")
        return [((r.finished_at - r.created_at).total_seconds()) for r in rows if r.finished_at]


def engine_alone(count: int) -> tuple[float, float]:
    """analyze_bytes_with_image on the same photos, decode and vision only: median wall and
    CPU time."""
    analyze_bytes_with_image(upload(0).data)  # loads the hand model
    walls, cpus = [], []
    for n in range(count):
        data = upload(n).data
        wall, cpu = time.perf_counter(), time.process_time()
        analyze_bytes_with_image(data)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def inline_phase(bench: Bench, count: int) -> float:
    """Rows submitted through the real queue (no worker is running yet), then analysed here;
    returns the inline wall p50 (what the queue's overhead is measured against)."""
    engine_wall, engine_cpu = engine_alone(count)
    ids = bench.submit(0, count + 1)
    clock = StageClock()
    with clock.installed():
        bench.analyse_inline(ids[0], StageClock())  # warm-up, not counted
        inline = [bench.analyse_inline(reading_id, clock) for reading_id in ids[1:]]
    walls, cpus = [wall for wall, _ in inline], [cpu for _, cpu in inline]
    p50, cpu50 = statistics.median(walls), statistics.median(cpus)
    print(f"inline: {count} photos analysed in this process ({load()})")
    print(f"per-stage split of one inline photo (medians):\n{clock.table()}")
    print(
        f"  non-vision stages, summed: wall {clock.non_vision(0) * 1000:.1f} ms, "
        f"CPU {clock.non_vision(1) * 1000:.1f} ms"
    )
    print(
        f"engine alone (analyze_bytes_with_image): wall p50 {engine_wall * 1000:.0f} ms, "
        f"CPU p50 {engine_cpu * 1000:.0f} ms"
    )
    print(
        f"inline per photo: wall p50 {p50 * 1000:.0f} ms  p95 {percentile(walls, 0.95) * 1000:.0f}"
        f" ms, CPU p50 {cpu50 * 1000:.0f} ms;  inline/engine: wall {p50 / engine_wall:.2f}x, "
        f"CPU {cpu50 / engine_cpu:.2f}x"
    )
    return p50


def queue_phase(bench: Bench, workers: int, photos: int, sequential: int, p50: float) -> None:
    """N workers; the inline batch's jobs (already done: no-ops) drain first, as a barrier."""
    started_workers = start_workers(workers, bench)
    try:
        wait_until(lambda: len(Worker.all(connection=bench.redis)) >= workers, "workers")
        if sequential:
            one = []
            for n in range(sequential):
                ids = bench.submit(1000 + n, 1)
                wait_until(lambda ids=ids: finished(bench.factory, ids), "one photo")
                one += latencies(bench.factory, ids)
            p50_queue = statistics.median(one)
            print(
                f"queued, one in flight:     p50 {p50_queue * 1000:.0f} ms  "
                f"p95 {percentile(one, 0.95) * 1000:.0f} ms  "
                f"overhead ratio {p50_queue / p50:.2f}x  ({load()})"
            )
        started = time.perf_counter()
        ids = bench.submit(2000, photos)
        queued = time.perf_counter()
        wait_until(lambda: finished(bench.factory, ids), "batch")
        done = time.perf_counter()
        loaded = latencies(bench.factory, ids)
    finally:
        stop(started_workers)
    # the batch is queued in one transaction (workers see none of it before); storing the
    # photos is the submitting process's work, so the workers' rate counts from the queueing
    rate, ideal = photos / (done - queued), min(workers, os.cpu_count() or 1) / p50
    print(
        f"{photos} photos, {workers} workers: {rate:.2f} photos/s from queued to done "
        f"({photos / (done - started):.2f}/s counting the {(queued - started) * 1000:.0f} ms "
        f"submission), efficiency "
        f"{rate / ideal:.2f} (of {ideal:.2f}/s), submit-to-done "
        f"p50 {statistics.median(loaded):.2f} s  p95 {percentile(loaded, 0.95):.2f} s  ({load()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=40)
    parser.add_argument("--workers", default="2", help="worker counts, comma-separated")
    parser.add_argument("--sequential", type=int, default=10)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="palm-bench-"))
    redis_server = None
    if not os.environ.get("REDIS_URL"):
        redis_server = start_embedded_redis(data_dir / "redis", persist=False)
    redis_url = os.environ.get("REDIS_URL") or redis_server.url  # type: ignore[union-attr]
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'bench.db'}"
    # the progress writer finds its clients through the process's runtime, like a worker's
    os.environ.update(REDIS_URL=redis_url, DATABASE_URL=db_url, PALM_DATA_DIR=str(data_dir))
    get_settings.cache_clear()
    try:
        bench = Bench(data_dir, redis_url, db_url)
        p50 = inline_phase(bench, args.sequential)
        counts = [int(n) for n in args.workers.split(",") if int(n) > 0]  # 0: inline only
        for index, workers in enumerate(counts):
            queue_phase(bench, workers, args.photos, args.sequential if index == 0 else 0, p50)
    finally:
        if redis_server is not None:
            redis_server.stop()


if __name__ == "__main__":
    main()
