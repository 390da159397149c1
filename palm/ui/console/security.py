"""Security events of the last day and who is online now."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from palm import ops
from palm.db import transaction
from palm.ui import resources
from palm.ui.console.format import REFRESH_SECONDS


def _counts(title: str, rows: list[ops.Count], what: str) -> None:
    st.markdown(f"**{title}**")
    if not rows:
        st.caption("None in the last 24 hours.")
        return
    data = pd.DataFrame([(row.key, row.count) for row in rows], columns=[what, "Count (24 h)"])
    st.dataframe(data, hide_index=True, width="stretch")


@st.fragment(run_every=REFRESH_SECONDS)
def security_section() -> None:
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        view = ops.security_view(session, now=datetime.now(UTC))
    left, right = st.columns(2)
    with left:
        _counts("Failed sign-ins", view.failed_sign_ins, "Account")
        _counts("Rate-limit hits", view.rate_limits, "Limit")
        _counts("Rejected uploads", view.rejected_uploads, "Code")
    with right:
        _counts("Failed sign-ins by address", view.failed_sign_in_addresses, "Address")
        _counts("Rate-limited addresses", view.rate_limited_addresses, "Address")
        _counts("Sensitive actions", view.sensitive, "Action")
    if view.refusals_per_hour:
        chart = pd.DataFrame(view.refusals_per_hour, columns=["hour", "refusals"])
        st.bar_chart(chart.set_index("hour"))


@st.fragment(run_every=REFRESH_SECONDS)
def presence_section() -> None:
    runtime = resources.runtime()
    if runtime.redis is None:
        st.warning("REDIS_URL is not set: there are no server-side sessions to count.")
        return
    with transaction(runtime.session_factory) as session:
        online = ops.presence(session, runtime.redis, now=time.time())
    cols = st.columns(3)
    cols[0].metric("Online now", online.people)
    cols[1].metric("Sessions", online.sessions)
    cols[2].metric("Admins", online.by_role.get("admin", 0))
    st.caption(f"Signed in and seen in the last {ops.ONLINE_SECONDS:.0f} s.")
    if online.by_page:
        pages = pd.DataFrame(list(online.by_page.items()), columns=["Page", "People online"])
        st.dataframe(pages, hide_index=True, width="stretch")
    if online.emails:
        frame = pd.DataFrame(online.emails, columns=["Account"])
        st.dataframe(frame, hide_index=True, width="stretch")
