"""Notifications on every page: a toast once when one of the person's jobs finishes or fails
(checked every few seconds while the page is open), and a bell listing the last 20.

Session state keys owned here: notify_since (this tab's start: older jobs never toast),
notify_seen (rq ids already told).
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from palm import jobs
from palm.db import transaction
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.preferences import load
from palm.ui.text import plain
from palm.vocabulary import JobState

SINCE_KEY = "notify_since"
SEEN_KEY = "notify_seen"
POLL_SECONDS = 5.0
KIND_WORDS = {
    "analysis": "Your reading",
    "export": "Your data export",
    "ping": "A ping",
    "webhook": "A webhook delivery",
}
STATE_WORDS = {
    JobState.FINISHED: ("is ready", ":material/check_circle:"),
    JobState.FAILED: ("failed", ":material/error:"),
    JobState.REFUSED: ("could not be read", ":material/error:"),
}
LINKS = {
    "analysis": "views/readings.py",
    "export": "views/profile.py",
    "webhook": "views/profile.py",
}


def message(kind: str, state: str) -> tuple[str, str]:
    """What a toast says about a job, and its icon."""
    words, icon = STATE_WORDS.get(JobState(state), ("ended", ":material/info:"))
    return f"{KIND_WORDS.get(kind, 'A job')} {words}.", icon


def _ended(user: SessionUser, since: datetime | None) -> list[tuple[str, str, str, datetime]]:
    with transaction(resources.session_factory()) as session:
        return [
            (job.rq_id, job.kind, job.state, job.ended_at or job.enqueued_at)
            for job in jobs.ended_jobs_of(session, user.id, since=since)
        ]


def watch(user: SessionUser, *, quiet_kinds: frozenset[str] = frozenset()) -> None:
    """Start watching (once per tab) and draw the bell; ``quiet_kinds`` are told by the page
    itself (Analyze toasts each photo by name), so they are only marked seen here."""
    st.session_state.setdefault(SINCE_KEY, datetime.now(UTC))
    st.session_state.setdefault(SEEN_KEY, [])
    with st.sidebar:
        _poll(user, quiet_kinds)
        bell(user)


@st.fragment(run_every=POLL_SECONDS)
def _poll(user: SessionUser, quiet_kinds: frozenset[str]) -> None:
    seen: list[str] = st.session_state.setdefault(SEEN_KEY, [])
    for rq_id, kind, state, _ended_at in reversed(_ended(user, st.session_state[SINCE_KEY])):
        if rq_id in seen:
            continue
        seen.append(rq_id)
        if kind not in quiet_kinds:
            text, icon = message(kind, state)
            st.toast(text, icon=icon)


def bell(user: SessionUser) -> None:
    """The last 20 jobs that ended, with where to see each."""
    recent = _ended(user, None)
    with st.popover(f"{len(recent)}", icon=":material/notifications:"):
        if not recent:
            st.caption("No notifications yet.")
        prefs = load(user)
        for _rq_id, kind, state, ended_at in recent:
            text, icon = message(kind, state)
            st.page_link(
                LINKS.get(kind, "views/home.py"),
                label=plain(f"{text} {prefs.when(ended_at)}"),
                icon=icon,
            )
