"""Admin page components: accounts and roles, the ping and the recent jobs (the operations
console and the audit log are palm.ui.console).

Session state keys owned here: admin_role_email, admin_role_value, admin_disable_email,
admin_disable_confirm, admin_disable_do, admin_disable_notice, admin_last_ping,
admin_flash.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from palm import accounts, jobs, ops
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser, session_ref
from palm.ui.text import plain
from palm.vocabulary import Role

FLASH_KEY = "admin_flash"
DISABLE_NOTICE_KEY = "admin_disable_notice"


def accounts_table(admin: SessionUser) -> None:
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        st.success(plain(flash), icon=":material/check_circle:")
    with transaction(resources.session_factory()) as session:
        people = [
            (u.id, u.email, u.role, u.created_at, u.last_login_at, u.disabled_at)
            for u in accounts.list_users(session)
        ]
    columns = ["id", "email", "role", "created", "last login", "disabled"]
    st.dataframe(pd.DataFrame(people, columns=columns), hide_index=True, width="stretch")
    emails = {email: user_id for user_id, email, *_ in people}
    with st.form("role_form"):
        email = st.selectbox("Account", list(emails), key="admin_role_email")
        role = st.selectbox("Role", [r.value for r in Role], key="admin_role_value")
        if st.form_submit_button("Change role") and email is not None:
            _change_role(admin, emails[email], Role(role))
    _disable_form(admin, emails)


def _disable_form(admin: SessionUser, emails: dict[str, int]) -> None:
    """Disabling signs the person out everywhere at once; both ways need the confirmation.
    The change runs in the button's callback, before the table above is drawn again."""
    notice = st.session_state.pop(DISABLE_NOTICE_KEY, None)
    with st.form("disable_form"):
        st.selectbox("Account", list(emails), key="admin_disable_email")
        st.checkbox(
            "I am sure: a disabled account cannot sign in and is signed out everywhere now",
            key="admin_disable_confirm",
        )
        st.radio("Do", ["Disable", "Enable"], horizontal=True, key="admin_disable_do")
        st.form_submit_button("Disable or enable", on_click=_set_disabled, args=(admin, emails))
    if notice:
        st.error(plain(notice))


def _set_disabled(admin: SessionUser, emails: dict[str, int]) -> None:
    state = st.session_state
    email = state.get("admin_disable_email")
    if email not in emails:
        return
    if not state.get("admin_disable_confirm"):
        state[DISABLE_NOTICE_KEY] = "Tick the confirmation first."
        return
    disable = state.get("admin_disable_do") == "Disable"
    runtime = resources.runtime()
    try:
        email, ended = accounts.set_account_disabled(
            runtime.session_factory,
            runtime.redis,
            actor_id=admin.id,
            user_id=emails[email],
            disable=disable,
            session_ref=session_ref(),
        )
    except PalmError as error:
        state[DISABLE_NOTICE_KEY] = error.message
        return
    state[FLASH_KEY] = (
        f"{email} is disabled; {ended} session(s) ended." if disable else f"{email} is enabled."
    )


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
