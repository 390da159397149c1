"""Reading page components. Reads only plain data (ReadingView), never ORM objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import streamlit as st

from palm import readings
from palm.db import transaction
from palm.errors import PalmError
from palm.readers import DISCLAIMER
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.vision import PalmAnalysis, decoded_rgb, overlay_figure
from palm.vocabulary import LINE_NAMES


@dataclass(frozen=True)
class Card:
    analysis_type: str
    title: str
    text: str
    per_line: dict[str, str]
    confidence: float
    engine: str


@dataclass(frozen=True)
class ReadingView:
    id: int
    filename: str
    created: datetime
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
        cards = [
            Card(i.analysis_type, i.title, i.text, dict(i.per_line), i.confidence, i.engine)
            for i in readings.interpretations_of(session, reading.id)
        ]
        return ReadingView(
            id=reading.id,
            filename=reading.filename,
            created=reading.created_at,
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
        st.error(f"{view.error_message or 'This reading failed.'} [{view.error_code}]")


def overlay(view: ReadingView) -> None:
    if view.analysis is None or view.image_key is None:
        st.warning("The photo of this reading is no longer stored.")
        return
    analysis = PalmAnalysis.from_dict(view.analysis)
    try:
        figure = overlay_figure(_photo(view.image_key), analysis)
    except PalmError as error:
        st.warning(error.message)
        return
    st.plotly_chart(figure, key="reading_overlay", config={"displaylogo": False})
    st.caption("Click a line's name to hide or show it; hover a line for its measurements.")
    if view.overlay_key:
        st.download_button(
            "Download the annotated photo (PNG)",
            data=resources.blob_store().get(view.overlay_key),
            file_name=f"palmline-reading-{view.id}.png",
            mime="image/png",
            icon=":material/download:",
        )


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
        st.caption(f"Note: {warning}")


def line_table(view: ReadingView) -> None:
    """Measurements of the found lines; a line not found shows no numbers to misread."""
    lines = (view.analysis or {}).get("lines", {})
    rows = [_line_row(name, line) for name in LINE_NAMES if (line := lines.get(name))]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _line_row(name: str, line: dict[str, Any]) -> dict[str, Any]:
    if not line["found"]:
        return {"line": name, "found": "not found"}
    return {
        "line": name,
        "found": "yes",
        "length": round(line["length_rel"], 2),
        "depth": round(line["depth"], 2),
        "curvature": round(line["curvature"], 2),
        "breaks": line["breaks"],
        "branches": line["branches"],
        "confidence": round(line["confidence"], 2),
    }


def cards(view: ReadingView) -> None:
    if not view.cards:
        st.info("No interpretation was written for this reading.")
        return
    columns = st.columns(2)
    for index, card in enumerate(view.cards):
        with columns[index % 2].container(border=True):
            st.subheader(card.title)
            st.write(card.text)
            st.progress(card.confidence, text=f"confidence {card.confidence:.0%}")
            for line, text in card.per_line.items():
                st.markdown(f"**{line.title()} line.** {text}")
            st.caption(f"engine: {card.engine}")


def disclaimer() -> None:
    st.caption(DISCLAIMER)
