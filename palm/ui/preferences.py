"""Preferences page components: what shapes readings (types, tone, length, language), dates
and charts, with a live preview of a reading in the chosen style.

Session state keys owned here: the widget keys prefs_*.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

import streamlit as st

from palm import accounts
from palm.db import transaction
from palm.errors import PalmError
from palm.readers import DISCLAIMER, one_line_summary, preview_reading
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.text import plain
from palm.vocabulary import (
    CHART_THEME_LABELS,
    DATE_FORMATS,
    LANGUAGE_LABELS,
    LENGTH_LABELS,
    TONE_LABELS,
    TYPE_LABELS,
    AnalysisType,
    ChartTheme,
    Hand,
    Language,
    ReadingLength,
    Tone,
)

PREVIEW_MOMENT = datetime(2026, 3, 31, 14, 5, tzinfo=UTC)


def load(user: SessionUser) -> accounts.ReadingPreferences:
    """The person's preferences (defaults for what they never chose)."""
    with transaction(resources.session_factory()) as session:
        return accounts.load_preferences(session, user.id)


class Summarised(Protocol):
    """A reading as lists show it: enough to say it in one line."""

    @property
    def hand(self) -> str | None: ...
    @property
    def hand_shape(self) -> str | None: ...
    @property
    def found_lines(self) -> Sequence[str]: ...
    @property
    def summary(self) -> str | None: ...


def one_line(prefs: accounts.ReadingPreferences, reading: Summarised) -> str:
    """A finished reading in one line in the person's language ("" for one not read yet)."""
    if reading.hand and reading.hand_shape:
        return one_line_summary(
            prefs.language, reading.hand, reading.hand_shape, reading.found_lines
        )
    return reading.summary or ""


def _dominant_hand(user: SessionUser) -> Hand | None:
    with transaction(resources.session_factory()) as session:
        return accounts.dominant_hand(session, user.id)


def _index(options: list[str], value: str) -> int:
    return options.index(value) if value in options else 0


def choices(user: SessionUser) -> accounts.ReadingPreferences:
    """The widgets, filled with what is saved; returns what they show now (unsaved)."""
    saved = load(user)
    zones = list(accounts.time_zones())
    types = st.multiselect(
        "Default kinds of reading",
        list(TYPE_LABELS),
        default=list(saved.analysis_types),
        format_func=TYPE_LABELS.__getitem__,
        key="prefs_types",
    )
    left, right = st.columns(2)
    tone = left.radio(
        "Reader's tone",
        list(TONE_LABELS),
        index=_index(list(TONE_LABELS), saved.tone),
        format_func=TONE_LABELS.__getitem__,
        horizontal=True,
        key="prefs_tone",
    )
    length = right.radio(
        "Reading length",
        list(LENGTH_LABELS),
        index=_index(list(LENGTH_LABELS), saved.length),
        format_func=LENGTH_LABELS.__getitem__,
        horizontal=True,
        key="prefs_length",
    )
    language = left.selectbox(
        "Language of readings",
        list(LANGUAGE_LABELS),
        index=_index(list(LANGUAGE_LABELS), saved.language),
        format_func=LANGUAGE_LABELS.__getitem__,
        key="prefs_language",
    )
    theme = right.selectbox(
        "Chart theme",
        list(CHART_THEME_LABELS),
        index=_index(list(CHART_THEME_LABELS), saved.chart_theme),
        format_func=CHART_THEME_LABELS.__getitem__,
        key="prefs_theme",
    )
    date_format = left.selectbox(
        "Date format",
        list(DATE_FORMATS),
        index=_index(list(DATE_FORMATS), saved.date_format),
        format_func=DATE_FORMATS.__getitem__,
        key="prefs_date_format",
    )
    zone = right.selectbox(
        "Time zone", zones, index=_index(zones, saved.time_zone), key="prefs_time_zone"
    )
    return accounts.ReadingPreferences(
        analysis_types=tuple(types),
        tone=Tone(tone),
        length=ReadingLength(length),
        language=Language(language),
        date_format=date_format,
        time_zone=zone,
        chart_theme=ChartTheme(theme),
    )


def preview(user: SessionUser, prefs: accounts.ReadingPreferences) -> None:
    """A sample reading of a sample palm in the chosen style, as the next reading will be."""
    st.subheader("Preview")
    kind = next(iter(prefs.analysis_types), AnalysisType.LIFE.value)
    sample = preview_reading(AnalysisType(kind), prefs.style(_dominant_hand(user)))
    with st.container(border=True):
        st.markdown(f"**{plain(sample.title)}**")
        st.write(plain(sample.text))
        for name, text in sample.per_line.items():
            st.caption(plain(f"{name}: {text}"))
        st.caption(plain(f"Dates look like: {prefs.when(PREVIEW_MOMENT)}"))
    st.caption(DISCLAIMER)


def save(user: SessionUser, prefs: accounts.ReadingPreferences) -> None:
    if not st.button("Save preferences", type="primary", key="prefs_save"):
        return
    with transaction(resources.session_factory()) as session:
        try:
            accounts.save_preferences(session, user.id, prefs)
        except PalmError as error:
            st.error(plain(error.message))
            return
    st.success("Preferences saved: your next reading follows them.")
