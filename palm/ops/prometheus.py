"""The console's figures in Prometheus' text format (served at /metrics, see palm/ui/web.py):
queue depth and registries, job wait and run times (a histogram of the last hour), workers,
Redis, cache hits, database statements and pool, LLM tokens, cost and budget this month, and
errors by code over 24 h. Built at scrape time from the same sources as the page; nothing
here counts on its own. No personal data: no e-mails, no addresses."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.explore import cache_stats
from palm.jobs import Queues
from palm.llm import budget_status, month_start
from palm.models import Job, UsageDaily
from palm.ops.database import QueryLog, pool_status
from palm.ops.errors import error_groups
from palm.ops.queues import queue_flows, registries
from palm.ops.redis_info import redis_report
from palm.ops.system import reply_cache_stats
from palm.ops.workers import worker_deaths_per_hour, worker_statuses
from palm.vocabulary import TERMINAL_JOB_STATES

METRICS_CONTENT_TYPE = CONTENT_TYPE_LATEST
RUN_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)


def _gauge(name: str, doc: str, labels: list[str] | None = None) -> GaugeMetricFamily:
    return GaugeMetricFamily(f"palm_{name}", doc, labels=labels or [])


def _histogram(name: str, doc: str, samples: dict[str, list[float]]) -> HistogramMetricFamily:
    family = HistogramMetricFamily(f"palm_{name}", doc, labels=["queue"])
    for queue, values in sorted(samples.items()):
        buckets = [(str(edge), float(sum(v <= edge for v in values))) for edge in RUN_BUCKETS]
        buckets.append(("+Inf", float(len(values))))
        family.add_metric([queue], buckets, sum_value=sum(values))
    return family


class ConsoleCollector(Collector):
    """One scrape: every family from a fresh look at the sources."""

    def __init__(
        self,
        session: Session,
        *,
        queues: Queues | None,
        redis: Redis | None,
        log: QueryLog,
        default_budget: float,
        now: datetime,
    ) -> None:
        self.session, self.queues, self.redis = session, queues, redis
        self.log, self.default_budget, self.now = log, default_budget, now

    def collect(self) -> Iterator[Metric]:
        yield from self._jobs()
        if self.redis is not None and self.queues is not None:
            try:
                yield from self._redis(self.redis, self.queues)
            except (RedisError, OSError):
                up = _gauge("redis_up", "1 when Redis answered this scrape")
                up.add_metric([], 0.0)
                yield up
        yield from self._database()
        yield from self._llm()
        labels = ["source", "code", "location"]
        errors = _gauge("errors_24h", "Failures in the last 24 hours", labels)
        for group in error_groups(self.session, now=self.now):
            errors.add_metric([group.source, group.code, group.location], float(group.count))
        yield errors

    def _jobs(self) -> Iterator[Metric]:
        flows = queue_flows(self.session, now=self.now)
        wait = _gauge("queue_wait_seconds", "Wait before start, last hour", ["queue", "quantile"])
        oldest = _gauge("queue_oldest_waiting_seconds", "Age of the oldest queued job", ["queue"])
        rate = _gauge("jobs_per_minute", "Jobs per minute", ["queue", "event", "window"])
        for flow in flows:
            for quantile, value in (("0.5", flow.wait_p50), ("0.95", flow.wait_p95)):
                if value is not None:
                    wait.add_metric([flow.queue, quantile], value)
            oldest.add_metric([flow.queue], flow.oldest_queued_age or 0.0)
            rate.add_metric([flow.queue, "started", "5m"], flow.started_per_min_5m)
            rate.add_metric([flow.queue, "finished", "5m"], flow.finished_per_min_5m)
            rate.add_metric([flow.queue, "started", "1h"], flow.started_per_min_1h)
            rate.add_metric([flow.queue, "finished", "1h"], flow.finished_per_min_1h)
        runs: dict[str, list[float]] = defaultdict(list)
        for queue, began, end in self.session.execute(
            select(Job.queue, Job.started_at, Job.ended_at).where(
                Job.ended_at >= self.now - timedelta(hours=1),
                Job.state.in_(TERMINAL_JOB_STATES),
                Job.started_at.is_not(None),
            )
        ):
            if began is not None and end is not None:
                runs[queue].append(max((end - began).total_seconds(), 0.0))
        yield wait
        yield oldest
        yield rate
        yield _histogram("job_run_seconds", "Run time of jobs ended in the last hour", runs)

    def _redis(self, redis: Redis, queues: Queues) -> Iterator[Metric]:
        report = redis_report(redis, with_keys=False)
        up = _gauge("redis_up", "1 when Redis answered this scrape")
        up.add_metric([], 1.0 if report.reachable else 0.0)
        yield up
        if not report.reachable:
            return
        depth = _gauge("queue_depth", "Jobs waiting in the RQ queue", ["queue"])
        registry = _gauge("queue_registry_jobs", "Jobs per RQ registry", ["queue", "registry"])
        for counts in registries(queues):
            depth.add_metric([counts.queue], float(counts.queued))
            for name in ("scheduled", "deferred", "started", "failed", "finished"):
                registry.add_metric([counts.queue, name], float(getattr(counts, name)))
        yield depth
        yield registry
        workers = worker_statuses(redis, now=self.now)
        count = _gauge("workers", "Registered RQ workers", ["state", "stale"])
        tally: dict[tuple[str, str], int] = defaultdict(int)
        for worker in workers:
            tally[(worker.state, str(worker.stale).lower())] += 1
        for (state, stale), n in sorted(tally.items()):
            count.add_metric([state, stale], float(n))
        yield count
        hours = worker_deaths_per_hour(redis, now=self.now.timestamp())
        deaths = _gauge("worker_deaths", "Worker processes found dead", ["window"])
        deaths.add_metric(["1h"], float(hours[-1][1]))
        deaths.add_metric(["24h"], float(sum(n for _, n in hours)))
        yield deaths
        figures = _gauge("redis", "Redis INFO figures", ["figure"])
        for name in ("used_memory", "peak_memory", "max_memory", "ops_per_sec", "clients"):
            figures.add_metric([name], float(getattr(report, name)))
        for name in ("hits", "misses", "evicted", "uptime_seconds"):
            figures.add_metric([name], float(getattr(report, name)))
        yield figures
        cache = _gauge(
            "cache_lookups", "Cache lookups since the counters began", ["cache", "result"]
        )
        for cache_name, stats in (
            ("llm_reply", reply_cache_stats(redis)),
            ("explore", cache_stats(redis)),
        ):
            if stats is not None:
                cache.add_metric([cache_name, "hit"], float(stats.hits))
                cache.add_metric([cache_name, "miss"], float(stats.misses))
        yield cache

    def _database(self) -> Iterator[Metric]:
        stats = self.log.stats(slowest=0)
        query = _gauge("db_query_ms", "Statement time in this process, last hour", ["quantile"])
        for quantile, value in (("0.5", stats.p50_ms), ("0.95", stats.p95_ms)):
            if value is not None:
                query.add_metric([quantile], value)
        yield query
        pool = pool_status(self.session.get_bind().engine)
        gauge = _gauge("db_pool", "Connection pool of this process", ["figure"])
        for name in ("size", "checked_out", "overflow"):
            value = getattr(pool, name)
            if value is not None:
                gauge.add_metric([name], float(value))
        gauge.add_metric(["checkouts_per_min"], stats.checkouts_per_min)
        yield gauge

    def _llm(self) -> Iterator[Metric]:
        since = month_start(self.now)
        tokens = _gauge("llm_month_tokens", "LLM tokens this month", ["model", "kind"])
        cost = _gauge("llm_month_cost_usd", "LLM cost this month (USD)", ["model"])
        rows = self.session.execute(
            select(
                UsageDaily.model,
                func.sum(UsageDaily.input_tokens),
                func.sum(UsageDaily.cached_tokens),
                func.sum(UsageDaily.output_tokens),
                func.sum(UsageDaily.cost_usd),
            )
            .where(UsageDaily.day >= since.date())
            .group_by(UsageDaily.model)
        )
        for model, tokens_in, cached, tokens_out, spent in rows:
            tokens.add_metric([model, "input"], float(tokens_in or 0))
            tokens.add_metric([model, "cached"], float(cached or 0))
            tokens.add_metric([model, "output"], float(tokens_out or 0))
            cost.add_metric([model], float(spent or 0.0))
        yield tokens
        yield cost
        status = budget_status(self.session, self.default_budget, now=self.now)
        budget = _gauge("llm_budget_usd", "This month's LLM budget (USD)")
        budget.add_metric([], status.budget_usd)
        share = _gauge("llm_budget_share", "Share of the monthly LLM budget spent")
        share.add_metric([], status.share)
        yield budget
        yield share


def metrics_text(
    session: Session,
    *,
    queues: Queues | None,
    redis: Redis | None,
    log: QueryLog,
    default_budget: float,
    now: datetime,
) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(
        ConsoleCollector(
            session, queues=queues, redis=redis, log=log, default_budget=default_budget, now=now
        )
    )
    return generate_latest(registry)
