"""Admin page components: accounts and roles, the audit log, the ping and the recent jobs
(the operations console is palm.ui.console).

Session state keys owned here: admin_role_email, admin_role_value, admin_last_ping.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from palm import accounts, jobs, ops
from palm.db import transaction
from palm.infra import AuditAction, Outcome, recent_events
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.text import plain
from palm.vocabulary import Role

FLASH_KEY = "admin_flash"


def accounts_table(admin: SessionUser) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(plain(flash), icon=":material/check_circle:")
    with transaction(resources.session_factory()) as session:
        people = [
            (u.id, u.email, u.role, u.created_at, u.last_login_at)
            for u in accounts.list_users(session)
        ]
    frame = pd.DataFrame(people, columns=["id", "email", "role", "created", "last login"])
    st.dataframe(frame, hide_index=True, width="stretch")
    with st.form("role_form"):
        emails = {email: user_id for user_id, email, *_ in people}
        email = st.selectbox("Account", list(emails), key="admin_role_email")
        role = st.selectbox("Role", [r.value for r in Role], key="admin_role_value")
        if st.form_submit_button("Change role") and email is not None:
            _change_role(admin, emails[email], Role(role))


def _change_role(admin: SessionUser, user_id: int, role: Role) -> None:
    """The rejection's audit event commits with the transaction; st.rerun runs after it."""
    with transaction(resources.session_factory()) as session:
        try:
            changed = accounts.change_role(session, actor_id=admin.id, user_id=user_id, role=role)
        except accounts.AccountError as error:
            st.error(plain(error.message))
            return
        message = f"{changed.email} is now {changed.role}."
    st.session_state[FLASH_KEY] = message  # shown after the rerun, where a toast would be lost
    st.rerun()


def audit_table() -> None:
    """The newest audit events; "security events only" keeps the refusals (failed sign-ins,
    rate limits, refused sign-ups and shares), newest first."""
    with transaction(resources.session_factory()) as session:
        rows = [
            (e.ts, e.actor, e.action, e.target, e.outcome, e.detail, e.session_ref)
            for e in recent_events(session, limit=200)
        ]
    if not rows:
        st.info("No audit events yet.")
        return
    refusals = [row for row in rows if row[4] == Outcome.REJECTED]
    limited = sum(row[2] == AuditAction.RATE_LIMITED for row in refusals)
    st.caption(
        f"Refused: {len(refusals)} of the last {len(rows)} events ({limited} by a rate limit)."
    )
    if st.toggle("Security events only", key="admin_security_only"):
        rows = refusals
    columns = ["time", "actor", "action", "target", "outcome", "detail", "session"]
    st.dataframe(
        pd.DataFrame(rows, columns=columns),
        hide_index=True,
        width="stretch",
        column_config={
            "time": st.column_config.DatetimeColumn("Time (UTC)", format="D MMM YYYY, HH:mm:ss"),
            "actor": st.column_config.TextColumn("Who", width="medium"),
            "action": st.column_config.TextColumn("Action", width="medium"),
            "target": st.column_config.TextColumn("On", width="medium"),
            "outcome": st.column_config.TextColumn("Outcome", width="small"),
            "detail": st.column_config.TextColumn("Detail", width="large"),
            "session": st.column_config.TextColumn("Session", width="small"),
        },
    )


def ping(admin: SessionUser) -> None:
    """A ping job proves Redis, a worker and the database in one round trip."""
    runtime = resources.runtime()
    if runtime.queues is None:
        return
    if st.button("Send a ping job", key="admin_send_ping"):
        policy = jobs.ping_policy(runtime.settings)
        try:
            st.session_state["admin_last_ping"] = ops.submit_ping(
                runtime.session_factory, runtime.queues, policy, admin.id
            )
        except jobs.QueueUnavailableError as error:
            st.error(plain(error.message))
    recent_jobs_table()


@st.fragment(run_every=2)
def recent_jobs_table() -> None:
    """Refreshes on its own, so a ping's state changes in front of the admin."""
    runtime = resources.runtime()
    last_ping = st.session_state.get("admin_last_ping")
    if last_ping and runtime.queues is not None:
        st.info(plain(ops.ping_outcome(runtime.session_factory, runtime.queues, last_ping)))
    with transaction(resources.session_factory()) as session:
        counts = jobs.count_by_state(session)
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
            for j in jobs.recent_jobs(session)
        ]
    st.subheader("Recent jobs")
    st.caption(
        " · ".join(f"{state}: {count}" for state, count in sorted(counts.items())) or "No jobs yet."
    )
    columns = ["job", "kind", "state", "stage", "progress %", "attempts", "enqueued", "error"]
    if rows:
        st.dataframe(
            pd.DataFrame(rows, columns=columns),
            hide_index=True,
            width="stretch",
            column_config={
                "enqueued": st.column_config.DatetimeColumn(
                    "Enqueued (UTC)", format="D MMM YYYY, HH:mm:ss"
                ),
                "error": st.column_config.TextColumn("Error", width="large"),
            },
        )
