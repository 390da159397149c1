"""Compare page components: pick readings, overlays, diff table, radar, narrative, sharing.

Session state keys owned here: every key starting with ``compare_`` (compare_pick,
compare_metric, compare_recorded, compare_share_reading, compare_share_email,
compare_revoke_<id>).
"""

from __future__ import annotations

from collections.abc import Hashable

import pandas as pd
import streamlit as st

from palm import explore
from palm.db import transaction
from palm.errors import PalmError
from palm.explore import Choice, Comparison, Viewer
from palm.readers import DISCLAIMER
from palm.ui import explore_charts, resources, sharing
from palm.ui.auth import SessionUser
from palm.ui.history import explorer
from palm.ui.preferences import load as load_preferences
from palm.ui.text import plain
from palm.vocabulary import METRIC_LABELS, DayLabel

PICK_KEY = "compare_pick"
RECORDED_KEY = "compare_recorded"
UP, DOWN = "#2e7d32", "#c62828"


def day_label(user: SessionUser) -> DayLabel:
    """How this page writes a reading's day: in the person's own date format and zone."""
    return load_preferences(user).day


def _choices(user: SessionUser) -> list[Choice]:
    day = day_label(user)
    with transaction(resources.session_factory()) as session:
        return explore.comparable_choices(session, user.id, day=day)


def _ids_from_query() -> list[int]:
    raw = st.query_params.get("ids", "")
    return [int(part) for part in raw.split(",") if part.isdigit()][:4]


def _quick_pick(user: SessionUser, labels: dict[int, str]) -> None:
    """Buttons that fill the picker with a classic pair."""
    with transaction(resources.session_factory()) as session:
        sides = explore.left_and_right_of_latest(session, user.id)
        span = explore.first_and_latest(session, user.id)
    left, right = st.columns(2)
    if left.button("Left vs right of my latest", disabled=not sides, key="compare_sides"):
        st.session_state[PICK_KEY] = [i for i in sides if i in labels]
    if right.button("My first vs my latest", disabled=not span, key="compare_span"):
        st.session_state[PICK_KEY] = [i for i in span if i in labels]


def picker(user: SessionUser) -> list[int]:
    """Two to four readings: the quick picks, the table selection (?ids=) or by hand."""
    labels = {choice.reading_id: choice.label for choice in _choices(user)}
    from_query = _ids_from_query()
    if PICK_KEY not in st.session_state:
        st.session_state[PICK_KEY] = [i for i in from_query if i in labels]
    _quick_pick(user, labels)
    chosen: list[int] = st.multiselect(
        "Readings to compare (yours, and those shared with you)",
        list(labels),
        format_func=lambda i: labels.get(i, f"#{i}"),
        max_selections=4,
        key=PICK_KEY,
    )
    extra = [i for i in from_query if i not in labels]  # analysts comparing others' readings
    return chosen or extra


def load(viewer: Viewer, ids: list[int]) -> Comparison | None:
    """The comparison; the first time this set of readings is shown it joins the person's
    activity (reruns of the same set do not)."""
    try:
        comparison = explorer().compare(viewer, ids)
    except PalmError as error:
        st.warning(plain(error.message))
        return None
    if st.session_state.get(RECORDED_KEY) != ids:
        explore.record_comparison(resources.session_factory(), viewer.user_id, ids)
        st.session_state[RECORDED_KEY] = list(ids)
    return comparison


def overlays(comparison: Comparison, day: DayLabel) -> None:
    st.caption("Every palm in one frame: upright, thumb left, knuckles at the top.")
    columns = st.columns(len(comparison.items))
    for index, (column, item) in enumerate(zip(columns, comparison.items, strict=True)):
        with column:
            if any(line.points for line in item.lines.values()):
                st.plotly_chart(
                    explore_charts.canonical_overlay(item, day), key=f"compare_overlay_{index}"
                )
            else:
                st.info(plain(f"{item.labelled(day)}: no line courses stored for this reading."))
            st.caption(plain(f"{item.owner} · {item.hand_shape or '?'} hand · {item.filename}"))


def _arrow(delta: float | None) -> str:
    if delta is None:
        return "—"
    if abs(delta) < 0.005:
        return "= 0"
    return f"{'▲' if delta > 0 else '▼'} {delta:+.2f}"


def diff_frame(comparison: Comparison, day: DayLabel) -> pd.DataFrame:
    labels = [item.labelled(day) for item in comparison.items]
    rows = []
    for diff in comparison.diffs:
        row: dict[str, object] = {
            "line": diff.line,
            "metric": METRIC_LABELS.get(diff.metric, diff.metric),
        }
        for index, label in enumerate(labels):
            value = diff.values[index]
            row[label] = "not found" if value is None else f"{value:.2f}"
            if index:
                row[f"Δ {label}"] = _arrow(diff.deltas[index])
        rows.append(row)
    return pd.DataFrame(rows)


def _colour(cell: object) -> str:
    text = str(cell)
    if text.startswith("▲"):
        return f"color: {UP}; font-weight: 600"
    if text.startswith("▼"):
        return f"color: {DOWN}; font-weight: 600"
    return ""


def diff_table(comparison: Comparison, day: DayLabel) -> None:
    frame = diff_frame(comparison, day)
    deltas: list[Hashable] = [c for c in frame.columns if str(c).startswith("Δ")]
    st.dataframe(
        frame.style.map(_colour, subset=deltas),
        hide_index=True,
        width="stretch",
        key="compare_diffs",
    )
    st.caption("Δ is against the first reading: ▲ more, ▼ less.")


def radar(comparison: Comparison, day: DayLabel) -> None:
    metric = st.segmented_control(
        "Metric",
        [m for m in explore.COMPARE_METRICS if m not in ("breaks", "branches")],
        default="length_rel",
        format_func=lambda metric: METRIC_LABELS.get(metric, metric),
        key="compare_metric",
    )
    figure = explore_charts.radar(comparison.items, str(metric or "length_rel"), day)
    st.plotly_chart(figure, key="compare_radar", theme=None)  # keep its own legend and axes


def narrative(comparison: Comparison, day: DayLabel) -> None:
    if comparison.compatibility is not None:
        st.metric("Compatibility", f"{comparison.compatibility}/100")
    for paragraph in comparison.told(day):  # names the other person (their e-mail)
        st.markdown(plain(paragraph))
    st.caption(DISCLAIMER)


def share_panel(user: SessionUser) -> None:
    """Share one of your finished readings by e-mail, and revoke shares."""
    own = {c.reading_id: c.label for c in _choices(user) if c.shared_by is None}
    sharing.share_form(user, own, key="compare")
    sharing.active_shares(user)


def empty_state(user: SessionUser) -> None:
    """What to do when nothing is being compared: depends on what the person has."""
    owned = [c for c in _choices(user) if c.shared_by is None]
    if len(owned) >= 2:
        st.info(
            "Pick two to four finished readings above, use a quick pick, or select rows on "
            "**History & trends** and press Compare."
        )
        return
    st.info(
        "Comparing needs two finished readings: analyse another photo (your other hand, or "
        "the same hand later), or ask a friend to share one with you."
    )
    st.page_link("views/analyze.py", label="Analyze a palm", icon=":material/photo_camera:")
