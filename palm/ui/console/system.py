"""Workers, Redis, the database and errors grouped by code."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from palm import explore, ops
from palm.db import transaction
from palm.ui import resources
from palm.ui.console.format import REFRESH_SECONDS, frame, megabytes, seconds
from palm.ui.text import plain

WORKER_COLUMNS = {
    "name": "Name",
    "host": "Host",
    "pid": "PID",
    "state": "State",
    "current_job": "Current job",
    "job_seconds": "On it for (s)",
    "heartbeat_age": "Heartbeat age (s)",
    "stale": "Stale",
    "done": "Done",
    "failed": "Failed",
    "rss_mb": "RSS (MB)",
    "started": "Started (UTC)",
}
SLOW_COLUMNS = {"statement": "Statement", "calls": "Calls", "p95_ms": "p95 ms", "max_ms": "Max ms"}
ERROR_COLUMNS = {
    "source": "Source",
    "code": "Code",
    "location": "Location",
    "count": "Count (24 h)",
    "first_seen": "First seen",
    "last_seen": "Last seen",
    "example": "Example",
}


def _no_redis() -> bool:
    if resources.runtime().redis is None:
        st.warning("REDIS_URL is not set: there are no workers and no Redis to show.")
        return True
    return False


@st.fragment(run_every=REFRESH_SECONDS)
def workers_section() -> None:
    redis = resources.runtime().redis
    if _no_redis() or redis is None:
        return
    workers = ops.worker_statuses(redis, now=datetime.now(UTC))
    stale = sum(worker.stale for worker in workers)
    st.caption(
        f"{len(workers)} registered, {stale} stale (no heartbeat for {ops.STALE_AFTER:.0f} s)."
    )
    if workers:
        rows = [
            {**vars(w), "rss_mb": None if w.rss_bytes is None else w.rss_bytes / 1_048_576}
            for w in workers
        ]
        data = frame(rows, WORKER_COLUMNS)
        rounded = data.round({"On it for (s)": 1, "Heartbeat age (s)": 1, "RSS (MB)": 1})
        st.dataframe(rounded, hide_index=True, width="stretch")
    deaths = ops.worker_deaths_per_hour(redis, now=time.time())
    st.metric("Worker deaths (24 h)", sum(count for _, count in deaths))
    if any(count for _, count in deaths):
        chart = pd.DataFrame(deaths, columns=["hour", "deaths"]).set_index("hour")
        st.markdown("**Worker deaths per hour, last 24 h**")
        st.bar_chart(chart)


@st.fragment(run_every=REFRESH_SECONDS)
def redis_section() -> None:
    redis = resources.runtime().redis
    if _no_redis() or redis is None:
        return
    report = ops.redis_report(redis)
    if not report.reachable:
        st.error(plain(f"Redis does not answer: {report.error}"))
        return
    first = st.columns(4)
    first[0].metric("Version", report.version)
    first[1].metric("Uptime", seconds(float(report.uptime_seconds)))
    first[2].metric("Ops/s", report.ops_per_sec)
    first[3].metric("Clients", report.clients)
    second = st.columns(4)
    second[0].metric("Memory used", megabytes(report.used_memory))
    second[1].metric("Peak", megabytes(report.peak_memory))
    second[2].metric("Max", megabytes(report.max_memory) if report.max_memory else "no limit")
    second[3].metric("Evicted keys", report.evicted)
    rate = f"{report.hit_rate:.0%}" if report.hit_rate is not None else "—"
    st.caption(f"Keyspace: {report.hits} hits, {report.misses} misses (hit rate {rate}).")
    caches = []
    for name, stats in (
        ("LLM replies", ops.reply_cache_stats(redis)),
        ("Explore views", explore.cache_stats(redis)),
    ):
        if stats is not None:
            looked = stats.hits + stats.misses
            share = f"{stats.hits / looked:.0%}" if looked else "—"
            caches.append((name, stats.hits, stats.misses, share))
    st.dataframe(
        pd.DataFrame(caches, columns=["Cache", "Hits", "Misses", "Hit rate"]), hide_index=True
    )
    history = ops.cache_history(redis, now=time.time())
    if history:
        series: dict[str, dict[datetime, int]] = {}
        for point in history:
            series.setdefault(f"{point.cache} hits", {})[point.minute] = point.hits
            series.setdefault(f"{point.cache} misses", {})[point.minute] = point.misses
        chart = pd.DataFrame(series).sort_index()
        st.markdown("**Cache lookups per minute, last hour**")
        st.line_chart(chart)
    keys = pd.DataFrame(sorted(report.keys.items()), columns=["Use", "Keys"])
    st.dataframe(keys, hide_index=True)
    if report.keys_capped:
        st.caption("Counted the first keys only (SCAN cap).")


@st.fragment(run_every=REFRESH_SECONDS)
def database_section() -> None:
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        view = ops.database_view(session, runtime.engine, runtime.query_log)
    pool, queries = view.pool, view.queries
    cols = st.columns(4)
    cols[0].metric("Dialect", pool.dialect)
    cols[1].metric("Pool size", "—" if pool.size is None else pool.size)
    cols[2].metric("Checked out", "—" if pool.checked_out is None else pool.checked_out)
    cols[3].metric("Overflow", "—" if pool.overflow is None else pool.overflow)
    cols = st.columns(4)
    cols[0].metric("Query p50", "—" if queries.p50_ms is None else f"{queries.p50_ms:.1f} ms")
    cols[1].metric("Query p95", "—" if queries.p95_ms is None else f"{queries.p95_ms:.1f} ms")
    cols[2].metric("Checkouts/min", f"{queries.checkouts_per_min:.0f}")
    cols[3].metric("Size", megabytes(view.size_bytes))
    st.caption(f"{queries.statements} statements timed in this process over the last hour.")
    st.markdown("**Slowest statements** (normalised, no parameters)")
    slow = frame(queries.slowest, SLOW_COLUMNS)
    st.dataframe(slow.round(2), hide_index=True, width="stretch")
    rows = pd.DataFrame(sorted(view.rows.items()), columns=["Table", "Rows"])
    st.dataframe(rows, hide_index=True)


@st.fragment(run_every=REFRESH_SECONDS)
def errors_section() -> None:
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        groups = ops.error_groups(session, now=datetime.now(UTC))
    if not groups:
        st.success("No failures in the last 24 hours.", icon=":material/check_circle:")
        return
    st.dataframe(frame(groups, ERROR_COLUMNS), hide_index=True, width="stretch")
