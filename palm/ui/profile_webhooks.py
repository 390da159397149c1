"""Profile page: the person's webhooks — register an endpoint for their events (the signing
secret shown once), see each endpoint's delivery log, send a delivery again, remove one.

Session state keys owned here: profile_hook_* (the form and buttons), profile_hook_secret
(the new endpoint's secret until the run that shows it).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from palm import jobs, webhooks
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.preferences import load
from palm.ui.text import plain

SECRET_KEY = "profile_hook_secret"


def webhook_form(user: SessionUser) -> None:
    st.subheader("Webhooks")
    st.caption(
        "Palmline can call your URL when a reading or a batch finishes or an export is ready, "
        "signed by the Standard Webhooks spec. The signing secret is shown once."
    )
    secret = st.session_state.pop(SECRET_KEY, None)
    if secret:
        st.success("Your signing secret — copy it now, it will not be shown again:")
        st.code(secret, language=None)
    with st.form("profile_hook", clear_on_submit=True):
        url = st.text_input("Endpoint URL", max_chars=2048, key="profile_hook_url")
        events = st.multiselect(
            "Events",
            list(webhooks.events_for(user.role)),  # admins also hear the system's own
            default=["reading.completed"],
            key="profile_hook_events",
        )
        if not st.form_submit_button("Add webhook"):
            return
    settings = resources.settings()
    with transaction(resources.session_factory()) as session:
        try:
            _, secret = webhooks.create_endpoint(
                session, user.id, url, events, allow_private=settings.palm_webhook_allow_private
            )
        except PalmError as error:
            st.error(plain(error.message))
            return
    st.session_state[SECRET_KEY] = secret
    st.rerun()


def webhook_list(user: SessionUser) -> None:
    with transaction(resources.session_factory()) as session:
        endpoints = webhooks.list_endpoints(session, user.id)
    for endpoint in endpoints:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.text(endpoint.url)
            state = "disabled after repeated failures" if endpoint.disabled else "active"
            left.caption(f"{', '.join(endpoint.events)} · {state}")
            if endpoint.previous_secret_until is not None:
                until = load(user).when(endpoint.previous_secret_until)
                left.caption(plain(f"The previous secret also signs until {until}."))
            if right.button("Remove", key=f"profile_hook_remove_{endpoint.id}"):
                _remove(user, endpoint.id)
            if right.button("New secret", key=f"profile_hook_rotate_{endpoint.id}"):
                _rotate(user, endpoint.id)
            _deliveries(user, endpoint.id)


def _deliveries(user: SessionUser, endpoint_id: int) -> None:
    with transaction(resources.session_factory()) as session:
        log = webhooks.deliveries_of(session, user.id, endpoint_id, limit=20)
    if not log:
        st.caption("No deliveries yet.")
        return
    with st.expander(f"Deliveries ({len(log)})"):
        frame = pd.DataFrame(
            {
                "event": [d.event for d in log],
                "status": [d.status for d in log],
                "attempts": [d.attempts for d in log],
                "response": [d.response_code for d in log],
                "ms": [d.latency_ms for d in log],
                "error": [d.error or "" for d in log],
            }
        )
        st.dataframe(frame, hide_index=True, width="stretch")
        failed = [d for d in log if d.status == "failed"]
        if failed and st.button(
            "Redeliver the latest failed one", key=f"profile_hook_redeliver_{endpoint_id}"
        ):
            _redeliver(user, failed[0].id)


def _rotate(user: SessionUser, endpoint_id: int) -> None:
    """A new signing secret, shown once on the next run; the old one keeps signing for a day."""
    with transaction(resources.session_factory()) as session:
        _, secret = webhooks.rotate_secret(session, user.id, endpoint_id)
    st.session_state[SECRET_KEY] = secret
    st.rerun()


def _remove(user: SessionUser, endpoint_id: int) -> None:
    with transaction(resources.session_factory()) as session:
        webhooks.delete_endpoint(session, user.id, endpoint_id)
    st.rerun()


def _redeliver(user: SessionUser, delivery_id: int) -> None:
    runtime = resources.runtime()
    if runtime.queues is None:
        st.error("The job queue is not configured (REDIS_URL).")
        return
    try:
        with transaction(runtime.session_factory) as session:
            webhooks.redeliver(session, user.id, delivery_id)
        policy = jobs.webhook_policy(runtime.settings)
        webhooks.enqueue(runtime.session_factory, runtime.queues, [delivery_id], policy, user.id)
    except PalmError as error:
        st.error(plain(error.message))
        return
    st.rerun()
