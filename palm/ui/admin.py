"""Admin page components: accounts and roles, audit log, queues and workers.

Session state keys owned here: admin_role_email, admin_role_value, admin_last_ping.
"""

from __future__ import annotations

import contextlib

import pandas as pd
import streamlit as st
from redis.exceptions import RedisError

from palm.db import transaction
from palm.infra.audit import recent_events
from palm.infra.queue import QueueUnavailableError
from palm.models import Role
from palm.reading.cache import ResponseCache
from palm.services import jobs as job_rows
from palm.services import system, usage, users
from palm.ui import resources
from palm.ui.auth import SessionUser


def accounts_table(admin: SessionUser) -> None:
    with transaction(resources.session_factory()) as session:
        accounts = [
            (u.id, u.email, u.role, u.created_at, u.last_login_at)
            for u in users.list_users(session)
        ]
    frame = pd.DataFrame(accounts, columns=["id", "email", "role", "created", "last login"])
    st.dataframe(frame, hide_index=True, width="stretch")
    with st.form("role_form"):
        emails = {email: user_id for user_id, email, *_ in accounts}
        email = st.selectbox("Account", list(emails), key="admin_role_email")
        role = st.selectbox("Role", [r.value for r in Role], key="admin_role_value")
        if st.form_submit_button("Change role") and email is not None:
            _change_role(admin, emails[email], Role(role))


def _change_role(admin: SessionUser, user_id: int, role: Role) -> None:
    """The rejection's audit event commits with the transaction; st.rerun runs after it."""
    with transaction(resources.session_factory()) as session:
        try:
            changed = users.change_role(session, actor_id=admin.id, user_id=user_id, role=role)
        except users.AccountError as error:
            st.error(error.message)
            return
        message = f"{changed.email} is now {changed.role}."
    st.toast(message)
    st.rerun()


def llm_usage() -> None:
    """Tokens and cost per model and purpose, and the reply cache's hit rate."""
    with transaction(resources.session_factory()) as session:
        rows = usage.usage_summary(session)
    redis = resources.redis_client()
    if redis is not None:
        with contextlib.suppress(RedisError, OSError):
            stats = ResponseCache(redis).stats()
            total = stats["hits"] + stats["misses"]
            rate = f"{stats['hits'] / total:.0%}" if total else "—"
            st.caption(f"LLM reply cache: {stats['hits']} hits, {stats['misses']} misses ({rate})")
    if not rows:
        st.info(
            "No LLM calls yet: the offline reader is answering (set OPENAI_API_KEY or "
            "OPENAI_BASE_URL to use a model)."
        )
        return
    frame = pd.DataFrame([vars(row) for row in rows])
    st.metric("LLM spend (USD)", f"{frame['cost_usd'].sum():.4f}")
    st.dataframe(frame, hide_index=True, width="stretch")


def audit_table() -> None:
    with transaction(resources.session_factory()) as session:
        rows = [
            (e.ts, e.actor, e.action, e.target, e.outcome, e.detail, e.session_ref)
            for e in recent_events(session, limit=200)
        ]
    if not rows:
        st.info("No audit events yet.")
        return
    columns = ["time", "actor", "action", "target", "outcome", "detail", "session"]
    st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch")


def system_status(admin: SessionUser) -> None:
    redis = resources.redis_client()
    if redis is None:
        st.warning("REDIS_URL is not set, so there are no queues or workers to show.")
        return
    status = system.redis_status(redis)
    if not status.reachable:
        st.error(f"Redis does not answer: {status.error}")
        return
    left, middle, right = st.columns(3)
    left.metric("Redis", status.version)
    middle.metric("Memory", status.used_memory)
    right.metric("Clients", status.connected_clients)
    st.subheader("Queues")
    st.dataframe(pd.DataFrame([vars(q) for q in system.queue_statuses(redis)]), hide_index=True)
    workers = system.worker_names(redis)
    st.write(f"**Workers ({len(workers)})**: " + (", ".join(workers) or "none running"))
    if st.button("Send a ping job", key="admin_send_ping"):
        try:
            st.session_state["admin_last_ping"] = system.submit_ping(
                resources.session_factory(), redis, admin.id
            )
        except QueueUnavailableError as error:
            st.error(error.message)
    recent_jobs_table()


@st.fragment(run_every=2)
def recent_jobs_table() -> None:
    """Refreshes on its own, so a ping's state changes in front of the admin."""
    with transaction(resources.session_factory()) as session:
        counts = job_rows.count_by_state(session)
        rows = [
            (
                j.rq_id[:8],
                j.kind,
                j.state,
                j.stage,
                round(j.progress * 100),
                j.attempts,
                j.enqueued_at,
                j.error_code or "",
            )
            for j in job_rows.recent_jobs(session)
        ]
    st.subheader("Recent jobs")
    st.caption(
        " · ".join(f"{state}: {count}" for state, count in sorted(counts.items())) or "No jobs yet."
    )
    columns = ["job", "kind", "state", "stage", "progress %", "attempts", "enqueued", "error"]
    if rows:
        st.dataframe(pd.DataFrame(rows, columns=columns), hide_index=True, width="stretch")
