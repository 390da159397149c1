"""Home after sign-in: the person's readings at a glance, their open chats and what others
share with them, one clear way to a new reading, and a walk-through for a new account."""

from __future__ import annotations

from datetime import UTC, datetime

import plotly.graph_objects as go
import streamlit as st

from palm import accounts, chat, explore, readings
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.chart_theme import themed
from palm.ui.preferences import load, one_line
from palm.ui.text import plain

LISTED = 3


def greeting(user: SessionUser) -> None:
    with transaction(resources.session_factory()) as session:
        name = accounts.get_profile(session, user.id).greeting_name
    st.subheader(plain(f"Hello, {name}"))


def summary(user: SessionUser) -> readings.ReadingSummary:
    prefs = load(user)
    with transaction(resources.session_factory()) as session:
        return readings.reading_summary(
            session, user.id, now=datetime.now(UTC), time_zone=prefs.time_zone
        )


def analyze_action() -> None:
    st.page_link("views/analyze.py", label="Analyze a new photo", icon=":material/photo_camera:")


def first_steps() -> None:
    """A brand-new account: how to get a first reading."""
    st.info(
        "You have no readings yet. Here is how to get your first one.",
        icon=":material/waving_hand:",
    )
    st.markdown(
        "1. Take a sharp, well-lit photo of your open palm, fingers spread, the whole hand in "
        "frame.\n"
        "2. Upload it on the **Analyze** page and pick what you want read.\n"
        "3. Open your reading, toggle the lines on the photo, and ask the reader about it.\n"
        "4. Tell us your dominant hand and how you like to be read under **Profile** and "
        "**Preferences**."
    )


def figures(result: readings.ReadingSummary) -> None:
    first, second, third = st.columns(3)
    first.metric("Readings this month", result.this_month)
    second.metric("All time", result.all_time)
    days = result.streak_days
    third.metric("Streak", f"{days} day{'s' if days != 1 else ''}")
    if result.in_flight:
        st.caption(f"{result.in_flight} photo(s) being read right now.")


def latest(user: SessionUser, result: readings.ReadingSummary) -> None:
    """The latest finished reading with its overlay."""
    item = result.latest
    if item is None:
        st.caption("No finished reading yet.")
        return
    st.subheader("Your latest reading")
    picture, words = st.columns([1, 2])
    if item.overlay_key:
        try:
            picture.image(resources.blob_store().get(item.overlay_key), width=220)
        except PalmError:
            picture.caption("The overlay could not be shown.")
    words.text(item.filename)
    prefs = load(user)
    words.caption(plain(prefs.when(item.created_at)))
    if summary_text := one_line(prefs, item):
        words.write(plain(summary_text))
    words.page_link("views/reading.py", label="Open reading", query_params={"id": str(item.id)})


def lines_chart(user: SessionUser, result: readings.ReadingSummary) -> None:
    if len(result.lines_found) < 2:
        return
    prefs = load(user)
    figure = go.Figure(
        go.Scatter(
            x=[prefs.when(point.created_at) for point in result.lines_found],
            y=[point.found for point in result.lines_found],
            mode="lines+markers",
            name="lines found",
        )
    )
    figure.update_layout(
        title="Lines found per reading",
        height=240,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        yaxis={"rangemode": "tozero", "dtick": 1},
    )
    st.plotly_chart(themed(figure, prefs.chart_theme), key="dashboard_lines_chart")


def chats_and_shares(user: SessionUser) -> None:
    runtime, day = resources.runtime(), load(user).day
    with transaction(runtime.session_factory) as session:
        threads = chat.list_threads(session, runtime.cipher, user.id)
        shared = explore.shared_with(session, user.id, day=day)
    left, right = st.columns(2)
    with left:
        st.subheader(f"Open chats ({len(threads)})")
        for thread in threads[:LISTED]:
            st.page_link(
                "views/chat.py",
                label=plain(thread.title or "Untitled thread"),
                query_params={"c": str(thread.id)},
                icon=":material/forum:",
            )
        if not threads:
            st.caption("No chat yet: open a reading and ask the reader about it.")
    with right:
        st.subheader(f"Shared with me ({len(shared)})")
        for share in shared[:LISTED]:
            st.page_link(  # a friend's reading opens beside yours on Compare
                "views/compare.py",
                label=plain(f"{share.reading_label} from {share.owner_email}"),
                icon=":material/share:",
            )
        if not shared:
            st.caption("Nobody has shared a reading with you yet.")
