"""Queues (registries, flow, the last 24 hours), emptying one queue's waiting jobs, and the
dead-letter view of failed jobs with requeue and delete, one or all; every action audited.

Session state keys owned here: console_failed_pick, console_failed_all, console_failed_flash,
console_empty_pick, console_empty_sure.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from palm import jobs, ops
from palm.db import transaction
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.console.format import REFRESH_SECONDS, frame
from palm.ui.text import plain

FLASH_KEY = "console_failed_flash"
FLOW_COLUMNS = {
    "queue": "Queue",
    "started_per_min_5m": "Started/min (5 min)",
    "finished_per_min_5m": "Finished/min (5 min)",
    "started_per_min_1h": "Started/min (1 h)",
    "finished_per_min_1h": "Finished/min (1 h)",
    "wait_p50": "Wait p50 (s)",
    "wait_p95": "Wait p95 (s)",
    "run_p50": "Run p50 (s)",
    "run_p95": "Run p95 (s)",
    "oldest_queued_age": "Oldest waiting (s)",
}
FAILED_COLUMNS = {
    "rq_id": "Job",
    "queue": "Queue",
    "kind": "Kind",
    "error_code": "Code",
    "message": "Message",
    "attempts": "Attempts",
    "reading_id": "Reading",
    "failed_at": "Failed (UTC)",
}


@st.fragment(run_every=REFRESH_SECONDS)
def queues_section() -> None:
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        view = ops.queues_view(session, runtime.queues, now=datetime.now(UTC))
    if runtime.queues is None:
        st.warning("REDIS_URL is not set: there are no RQ registries to show.")
    else:
        st.markdown("**Registries** (RQ)")
        st.dataframe(frame(view.registries), hide_index=True, width="stretch")
    st.markdown("**Flow** (jobs table: waits and run times over the last hour)")
    st.dataframe(frame(view.flows, FLOW_COLUMNS).round(2), hide_index=True, width="stretch")
    if view.hourly:
        chart = pd.DataFrame([vars(point) for point in view.hourly])
        per_hour = chart.groupby("hour")[["started", "finished"]].sum()
        st.markdown("**Jobs per hour, last 24 h**")
        st.bar_chart(per_hour, stack=False)


def empty_queue_form(admin: SessionUser) -> None:
    """Take every waiting job off one queue (their readings fail with the reason)."""
    runtime = resources.runtime()
    queues = runtime.queues
    if queues is None:
        return
    st.markdown("**Empty a queue** (its waiting jobs are cancelled and their readings fail)")
    name = st.selectbox("Queue", list(jobs.QUEUE_NAMES), key="console_empty_pick")
    sure = st.checkbox(f"Cancel every job waiting on {name}", key="console_empty_sure")
    if st.button("Empty queue", disabled=not sure, key="console_empty_queue") and name:
        with transaction(runtime.session_factory) as session:
            count = ops.empty_queue(session, queues, name, actor=admin.email)
        st.session_state[FLASH_KEY] = f"{count} waiting job{'s' if count != 1 else ''} cancelled."
        st.rerun()


@st.fragment(run_every=REFRESH_SECONDS)
def failed_section(admin: SessionUser) -> None:
    runtime = resources.runtime()
    queues = runtime.queues
    if queues is None:
        st.warning("REDIS_URL is not set: there is no failed registry.")
        return
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(flash, icon=":material/check_circle:")
    with transaction(runtime.session_factory) as session:
        failures = ops.failed_jobs(session, queues)
    if not failures:
        st.success("No failed jobs.", icon=":material/check_circle:")
        return
    st.dataframe(frame(failures, FAILED_COLUMNS), hide_index=True, width="stretch")
    by_id = {failure.rq_id: failure for failure in failures}
    picked = st.selectbox("Failed job", list(by_id), key="console_failed_pick")
    if picked is not None:
        failure = by_id[picked]
        st.caption(plain(f"{failure.error_code}: {failure.message}"))
        st.code(failure.traceback or "(no traceback kept)", language=None)
        one, two = st.columns(2)
        if one.button("Requeue this job", key="console_requeue_one"):
            _act(admin, "requeue", picked)
        if two.button("Delete this job", key="console_delete_one"):
            _act(admin, "delete", picked)
    everything = "the failed job" if len(failures) == 1 else f"all {len(failures)} failed jobs"
    sure = st.checkbox(f"Act on {everything}", key="console_failed_all")
    left, right = st.columns(2)
    if left.button("Requeue all", disabled=not sure, key="console_requeue_all"):
        _act(admin, "requeue", None)
    if right.button("Delete all", disabled=not sure, key="console_delete_all"):
        _act(admin, "delete", None)


def _act(admin: SessionUser, action: str, rq_id: str | None) -> None:
    runtime = resources.runtime()
    queues = runtime.queues
    assert queues is not None
    with transaction(runtime.session_factory) as session:
        if rq_id is None:
            act_all = ops.requeue_all_failed if action == "requeue" else ops.delete_all_failed
            count = act_all(session, queues, actor=admin.email)
        else:
            act_one = ops.requeue_failed if action == "requeue" else ops.delete_failed
            count = int(act_one(session, queues, rq_id, actor=admin.email))
    verb = "requeued" if action == "requeue" else "deleted"
    st.session_state[FLASH_KEY] = f"{count} job{'s' if count != 1 else ''} {verb}."
    st.rerun()  # the flash shows after it, where a toast would be lost
