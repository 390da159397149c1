"""The audit log: filter by actor, action, outcome and date; a page at a time; CSV.

Session state keys owned here: audit_actor, audit_action, audit_outcome, audit_dates,
admin_security_only, audit_page.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
import streamlit as st

from palm.db import transaction
from palm.infra import AuditAction, AuditFilter, Outcome, events_csv, find_events
from palm.ui import resources

PAGE_SIZE = 50
ANY = "any"
COLUMNS = {
    "time": st.column_config.DatetimeColumn("Time (UTC)", format="D MMM YYYY, HH:mm:ss"),
    "actor": st.column_config.TextColumn("Who", width="medium"),
    "action": st.column_config.TextColumn("Action", width="medium"),
    "target": st.column_config.TextColumn("On", width="medium"),
    "outcome": st.column_config.TextColumn("Outcome", width="small"),
    "detail": st.column_config.TextColumn("Detail", width="large"),
    "session": st.column_config.TextColumn("Session", width="small"),
}


def _criteria() -> AuditFilter:
    left, middle, right, dates = st.columns(4)
    actor = left.text_input("Actor contains", key="audit_actor")
    action = middle.selectbox("Action", [ANY, *AuditAction], key="audit_action")
    outcome = right.selectbox("Outcome", [ANY, *Outcome], key="audit_outcome")
    picked = dates.date_input("Dates (UTC)", value=[], key="audit_dates")
    if st.toggle("Security events only", key="admin_security_only"):
        outcome = Outcome.REJECTED  # failed sign-ins, rate limits, refused sign-ups and shares
    days = [d for d in (picked if isinstance(picked, tuple) else (picked,)) if isinstance(d, date)]

    def start(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=UTC)

    return AuditFilter(
        actor=actor.strip(),
        action="" if action == ANY else str(action),
        outcome="" if outcome == ANY else str(outcome),
        since=start(days[0]) if days else None,
        until=start(days[-1]) + timedelta(days=1) if days else None,
    )


def audit_section() -> None:
    criteria = _criteria()
    with transaction(resources.session_factory()) as session:
        total = find_events(session, criteria, limit=0)[1]
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = int(st.number_input("Page", min_value=1, max_value=pages, value=1, key="audit_page"))
        events, _ = find_events(session, criteria, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        rows = [
            (e.ts, e.actor, e.action, e.target, e.outcome, e.detail, e.session_ref) for e in events
        ]
        refused = find_events(session, AuditFilter(outcome=Outcome.REJECTED), limit=0)[1]
    st.caption(f"{total} matching events, page {page} of {pages} · {refused} refusals in all.")
    if not rows:
        st.info("No audit events match.")
        return
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    st.dataframe(frame, hide_index=True, width="stretch", column_config=COLUMNS)
    st.download_button(
        "Download CSV",
        data=lambda: _csv(criteria),
        file_name="audit-log.csv",
        mime="text/csv",
        key="audit_csv",
        on_click="ignore",  # a download changes nothing on the page: no rerun
    )


def _csv(criteria: AuditFilter) -> str:
    with transaction(resources.session_factory()) as session:
        return events_csv(session, criteria)
