"""Reading page components. Reads only plain data (ReadingView), never ORM objects."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from palm import accounts, readings
from palm.db import transaction
from palm.errors import PalmError
from palm.readers import DISCLAIMER
from palm.ui import resources, sharing
from palm.ui.auth import SessionUser
from palm.ui.text import plain
from palm.vision import PalmAnalysis, decoded_rgb, is_faint, overlay_figure
from palm.vocabulary import LINE_NAMES, METRIC_LABELS, fallback_explanation


@dataclass(frozen=True)
class Card:
    analysis_type: str
    title: str
    text: str
    per_line: dict[str, str]
    confidence: float
    engine: str
    fallback_reason: str | None = None


@dataclass(frozen=True)
class ReadingView:
    id: int
    filename: str
    created: datetime
    created_label: str
    status: str
    engine: str | None
    error_code: str | None
    error_message: str | None
    hand: str | None
    hand_shape: str | None
    analysis: dict[str, Any] | None
    image_key: str | None
    overlay_key: str | None
    cards: list[Card]


def requested_id() -> int | None:
    raw = st.query_params.get("id")
    return int(raw) if raw and raw.isdigit() else None


def load(user: SessionUser, reading_id: int) -> ReadingView | None:
    """The reading if it is this user's; None for anything else (no hint whose it is)."""
    with transaction(resources.session_factory()) as session:
        try:
            reading = readings.get_reading(session, user.id, reading_id)
        except readings.ReadingNotFoundError:
            return None
        image_key = readings.image_key_of(session, reading)
        prefs = accounts.load_preferences(session, user.id)
        cards = [
            Card(
                i.analysis_type,
                i.title,
                i.text,
                dict(i.per_line),
                i.confidence,
                i.engine,
                i.fallback_reason,
            )
            for i in readings.interpretations_of(session, reading.id)
        ]
        return ReadingView(
            id=reading.id,
            filename=reading.filename,
            created=reading.created_at,
            created_label=prefs.when(reading.created_at),
            status=reading.status,
            engine=reading.engine,
            error_code=reading.error_code,
            error_message=reading.error_message,
            hand=reading.hand,
            hand_shape=reading.hand_shape,
            analysis=reading.analysis,
            image_key=image_key,
            overlay_key=reading.overlay_key,
            cards=cards,
        )


@st.cache_data(max_entries=8, show_spinner="Preparing your photo…")
def _photo(image_key: str) -> npt.NDArray[np.uint8]:
    """Decoded once per stored photo (keys are random, so they never collide across users)."""
    return decoded_rgb(resources.blob_store().get(image_key))


def status_banner(view: ReadingView) -> None:
    if view.status in ("queued", "running"):
        st.info("This reading is still being prepared. Watch it on the **Analyze** page.")
    elif view.status == "failed":
        st.error(plain(f"{view.error_message or 'This reading failed.'} [{view.error_code}]"))


def overlay(view: ReadingView) -> None:
    if view.analysis is None or view.image_key is None:
        st.warning("The photo of this reading is no longer stored.")
        return
    analysis = PalmAnalysis.from_dict(view.analysis)
    whole = st.toggle("Show the whole photo", key="reading_whole_photo")
    try:
        figure = overlay_figure(_photo(view.image_key), analysis, crop_to_palm=not whole)
    except PalmError as error:
        st.warning(plain(error.message))
        return
    st.plotly_chart(figure, key="reading_overlay", config={"displaylogo": False})
    st.caption(
        "Click a line's name to hide or show it; hover a line for its measurements; the "
        "full-screen button at the photo's top right shows it larger."
    )
    if view.overlay_key and not resources.blob_store().exists(view.overlay_key):
        st.warning("The annotated photo of this reading is no longer stored. [BLOB_MISSING]")
    elif view.overlay_key:  # the PNG is made on click: a file gone by then fails the download
        st.download_button(
            "Download the annotated photo (PNG)",
            data=_overlay_png(view.overlay_key),
            file_name=f"palmline-reading-{view.id}.png",
            mime="image/png",
            icon=":material/download:",
            on_click="ignore",  # a download changes nothing on the page: no rerun
        )


def _overlay_png(key: str) -> Callable[[], bytes]:
    """The PNG is made from the stored JPEG when the person clicks (on Streamlit's download
    thread), not on every rerun of the page."""
    return lambda: readings.overlay_png(resources.blob_store(), key)


def hand_summary(view: ReadingView) -> None:
    st.subheader("Your hand")
    left, right = st.columns(2)
    left.metric("Hand", (view.hand or "—").title())
    right.metric("Shape", (view.hand_shape or "—").title())
    st.page_link(
        "views/chat.py",
        label="Ask about this reading",
        icon=":material/forum:",
        query_params={"reading": str(view.id)},
    )
    for warning in (view.analysis or {}).get("warnings", []):
        st.caption(plain(f"Note: {warning}"))


def line_table(view: ReadingView) -> None:
    """Measurements of the found lines; a line not found shows no numbers to misread."""
    lines = (view.analysis or {}).get("lines", {})
    rows = [_line_row(name, line) for name in LINE_NAMES if (line := lines.get(name))]
    st.dataframe(
        pd.DataFrame(rows),
        hide_index=True,
        width="stretch",
        column_config={
            "Confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0, max_value=1, format="percent"
            )
        },
    )


def _line_row(name: str, line: dict[str, Any]) -> dict[str, Any]:
    """One line's row, labelled for people; a line not found shows a dash, not numbers."""
    found = bool(line["found"])
    row: dict[str, Any] = {"Line": f"{name.title()} line", "Found": _found_word(line)}
    for metric, label in METRIC_LABELS.items():
        value = line.get(metric) if found else None
        if metric == "confidence":
            row[label] = value  # a bar; empty when the line was not found
        elif value is None:
            row[label] = "—"
        else:
            row[label] = f"{value:.2f}" if isinstance(value, float) else str(value)
    return row


def _found_word(line: dict[str, Any]) -> str:
    """yes, faint (found on thin evidence: said, not hidden) or no."""
    if not line["found"]:
        return "no"
    return "faint" if is_faint(True, line.get("confidence")) else "yes"


def heading(view: ReadingView) -> None:
    st.title(plain(f"Reading of {view.filename}"))
    engine = _engine_label(view.engine) if view.engine else "—"
    st.caption(plain(f"{view.created_label} · read by the {engine}"))


def cards(view: ReadingView) -> None:
    if not view.cards:
        st.info("No interpretation was written for this reading.")
        return
    columns = st.columns(2)
    for index, card in enumerate(view.cards):
        with columns[index % 2].container(border=True):
            st.subheader(plain(card.title))
            st.markdown(plain(card.text))
            st.progress(card.confidence, text=f"confidence {card.confidence:.0%}")
            for line, text in card.per_line.items():
                st.markdown(f"**{plain(line.title())} line.** {plain(text)}")
            st.caption(plain(f"written by the {_engine_label(card.engine)}"))
            if card.fallback_reason:
                st.caption(plain(fallback_explanation(card.fallback_reason)))


def _engine_label(engine: str) -> str:
    return (
        "built-in reader" if engine == "offline" else f"AI reader ({engine.removeprefix('llm:')})"
    )


def share(user: SessionUser, view: ReadingView) -> None:
    """Share this reading by e-mail (the person can compare it with their own)."""
    label = f"{view.filename} · {(view.hand or 'hand').title()} · {view.created_label}"
    sharing.share_form(user, {view.id: label}, key="reading")
    sharing.active_shares(user, view.id)


def disclaimer() -> None:
    st.caption(DISCLAIMER)
