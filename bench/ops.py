"""The operations console at scale: how long each section's data takes to build, and the
whole page, over 100k jobs and 1M LLM usage rows.

    .venv/bin/python bench/ops.py [--jobs 100000] [--usage 1000000] [--runs 10]

Seeds a temporary SQLite database (migrated with Alembic) through the driver in bulk: 1,000
users; jobs over the last 7 days (2,000 of them in the last hour, 3% failed, 2% refused, 50
still queued); usage rows over the last 60 days across 3 models, 2 purposes and every user.
Starts an embedded Redis with a registered worker. Prints p50/p95 (ms) per section and for
the page (every section once, as a first render does). Asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redis import Redis
from rq import Worker

from palm import ops
from palm.db import make_engine, make_session_factory, transaction
from palm.infra.embedded_redis import start_embedded_redis
from palm.jobs import Queues
from palm.migrate import upgrade_to_head
from palm.models import utcnow

USERS = 1000
CODES = ("NO_HAND", "LLM_TIMEOUT", "WORKER_DIED", "JOB_ERROR")
MODELS = ("gpt-4o-mini", "gpt-4o", "local-llama")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def job_rows(count: int, now: datetime, rng: random.Random) -> Iterator[tuple[object, ...]]:
    recent = min(2000, count)
    for i in range(count):
        ago = rng.uniform(0, 3600) if i < recent else rng.uniform(3600, 7 * 86400)
        enqueued = now - timedelta(seconds=ago)
        queue = "analysis" if rng.random() < 0.9 else "default"
        roll = rng.random()
        if i < 50:
            state, started, ended, code = "queued", None, None, None
        else:
            started = enqueued + timedelta(seconds=rng.expovariate(1 / 2.0))
            ended = started + timedelta(seconds=rng.uniform(1, 5))
            state, code = "finished", None
            if roll < 0.03:
                state, code = "failed", rng.choice(CODES)
            elif roll < 0.05:
                state, code = "refused", "NO_HAND"
        yield (
            f"job-{i:07d}",
            "analysis" if queue == "analysis" else "ping",
            queue,
            rng.randint(1, USERS),
            state,
            state,
            1.0 if ended else 0.0,
            1 if started else 0,
            stamp(enqueued),
            stamp(started) if started else None,
            stamp(ended) if ended else None,
            code,
            f"{code}: example" if code else None,
        )


def usage_rows(count: int, now: datetime, rng: random.Random) -> Iterator[tuple[object, ...]]:
    for _ in range(count):
        fallback = rng.random() < 0.02
        yield (
            stamp(now - timedelta(seconds=rng.uniform(0, 60 * 86400))),
            rng.randint(1, USERS),
            "openai",
            rng.choice(MODELS),
            "reading" if rng.random() < 0.6 else "chat",
            rng.randint(200, 2000),
            rng.randint(50, 400),
            rng.randint(0, 200),
            rng.uniform(0.0001, 0.002),
            rng.uniform(200, 3000),
            rng.random() < 0.2,
            "fallback" if fallback else "ok",
            "LLM_TIMEOUT" if fallback else None,
        )


def seed(path: Path, jobs: int, usage: int) -> None:
    started = time.perf_counter()
    now, rng = utcnow(), random.Random(14)
    connection = sqlite3.connect(path)
    connection.executemany(
        "INSERT INTO users (id, email, password_hash, role, created_at) VALUES (?, ?, ?, ?, ?)",
        [(i, f"user{i}@example.com", "x", "user", stamp(now)) for i in range(1, USERS + 1)],
    )
    connection.executemany(
        "INSERT INTO jobs (rq_id, kind, queue, user_id, state, stage, progress, attempts, "
        "enqueued_at, started_at, ended_at, error_code, error) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        job_rows(jobs, now, rng),
    )
    connection.executemany(
        "INSERT INTO usage_records (ts, user_id, provider, model, purpose, input_tokens, "
        "output_tokens, cached_tokens, cost_usd, latency_ms, cache_hit, outcome, error_code) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        usage_rows(usage, now, rng),
    )
    figures = "count(*), sum(input_tokens), sum(cached_tokens), sum(output_tokens), sum(cost_usd)"
    connection.execute(  # the rollups the app keeps on every insert, filled in one go
        f"INSERT INTO usage_daily SELECT date(ts), model, purpose, {figures} "
        "FROM usage_records GROUP BY 1, 2, 3"
    )
    connection.execute(
        f"INSERT INTO usage_user_monthly SELECT strftime('%Y-%m', ts), coalesce(user_id, 0), "
        f"{figures} FROM usage_records GROUP BY 1, 2"
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()
    print(f"seeded {jobs} jobs and {usage} usage rows in {time.perf_counter() - started:.1f} s")


def timed(work: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        samples.append((time.perf_counter() - began) * 1000)
    return ops.percentile(samples, 50) or 0.0, ops.percentile(samples, 95) or 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--usage", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="palm-bench-ops-"))
    url = f"sqlite:///{workdir / 'ops.db'}"
    upgrade_to_head(url)
    seed(workdir / "ops.db", args.jobs, args.usage)
    server = start_embedded_redis(workdir / "redis", persist=False)
    redis = Redis.from_url(server.url)
    queues = Queues(redis)
    Worker(queues.all(), connection=redis, name="bench-worker").register_birth()  # type: ignore[no-untyped-call]
    engine = make_engine(url)
    log = ops.QueryLog()
    log.attach(engine)
    factory = make_session_factory(engine)

    def section(build: Callable[..., object]) -> Callable[[], object]:
        def run() -> object:
            with transaction(factory) as session:
                return build(session)

        return run

    now = utcnow
    sections: dict[str, Callable[[], object]] = {
        "overview": section(
            lambda s: ops.overview(
                s,
                queues=queues,
                redis=redis,
                engine=engine,
                log=log,
                default_budget=50.0,
                llm_configured=True,
                now=now(),
            )
        ),
        "queues": section(lambda s: ops.queues_view(s, queues, now=now())),
        "failed jobs": section(lambda s: ops.failed_jobs(s, queues)),
        "workers": lambda: ops.worker_statuses(redis, now=now()),
        "redis": lambda: ops.redis_report(redis),
        "database": section(lambda s: ops.database_view(s, engine, log)),
        "llm": section(lambda s: ops.llm_view(s, 50.0, now=now())),
        "errors": section(lambda s: ops.error_groups(s, now=now())),
        "security": section(lambda s: ops.security_view(s, now=now())),
        "presence": section(lambda s: ops.presence(s, redis, now=time.time())),
        "prometheus": section(
            lambda s: ops.metrics_text(
                s, queues=queues, redis=redis, log=log, default_budget=50.0, now=now()
            )
        ),
    }
    try:
        print(f"{'section':<14} {'p50 ms':>9} {'p95 ms':>9}")
        for name, work in sections.items():
            p50, p95 = timed(work, args.runs)
            print(f"{name:<14} {p50:>9.1f} {p95:>9.1f}")
        page = [work for name, work in sections.items() if name != "prometheus"]
        p50, p95 = timed(lambda: [work() for work in page], args.runs)
        print(f"{'page (all)':<14} {p50:>9.1f} {p95:>9.1f}")
    finally:
        redis.close()
        server.stop()
        engine.dispose()


if __name__ == "__main__":
    main()
