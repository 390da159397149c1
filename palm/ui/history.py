"""History & trends components: filter bar, results table, pager, CSV, charts.

Session state keys owned here: every key starting with ``history_`` (the filter widgets,
history_cursors, history_digest, history_table, history_granularity, history_show_email).
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from palm import accounts
from palm.db import transaction
from palm.explore import (
    Cursor,
    ExploreFilter,
    Explorer,
    HistoryPage,
    HistoryRow,
    Viewer,
    cache_stats,
    set_shows_email,
    shows_email,
)
from palm.infra import RateLimitedError
from palm.ui import explore_charts, resources, web
from palm.ui.address import client_address
from palm.ui.auth import SessionUser
from palm.ui.chart_theme import themed
from palm.ui.text import plain
from palm.vocabulary import ANALYSIS_TYPES, HANDS, LINE_NAMES, READING_STATUSES, Granularity, Role

CURSORS_KEY = "history_cursors"
DIGEST_KEY = "history_digest"
FOUND_CHOICES = {"any": None, "found": True, "not found": False}
#: The preference's strftime formats as the table's (moment.js) display formats.
TABLE_DATE_FORMATS = {
    "%Y-%m-%d %H:%M": "YYYY-MM-DD HH:mm",
    "%d/%m/%Y %H:%M": "DD/MM/YYYY HH:mm",
    "%m/%d/%Y %I:%M %p": "MM/DD/YYYY hh:mm A",
    "%d %b %Y, %H:%M": "D MMM YYYY, HH:mm",
}


def viewer_for(user: SessionUser) -> Viewer:
    return Viewer(user.id, user.role, resources.runtime().pseudonym_secret)


def explorer() -> Explorer:
    return resources.runtime().explorer


def filter_bar(viewer: Viewer) -> ExploreFilter:
    """The filter widgets; their values become one normalised filter."""
    with st.expander("Filters", expanded=True, icon=":material/filter_list:"):
        first, second, third, fourth = st.columns(4)
        date_from = first.date_input("From", value=None, key="history_from")
        date_to = first.date_input("To", value=None, key="history_to")
        hands = second.multiselect("Hand", HANDS, key="history_hands")
        statuses = second.multiselect("Status", READING_STATUSES, key="history_statuses")
        types = third.multiselect("Analysis type", ANALYSIS_TYPES, key="history_types")
        engines = third.multiselect("Engine", explorer().engines(viewer), key="history_engines")
        line = fourth.selectbox("Line", ["any", *LINE_NAMES], key="history_line")
        found = fourth.segmented_control(
            "Line found", list(FOUND_CHOICES), default="any", key="history_found"
        )
        low, high = st.slider("Line confidence", 0.0, 1.0, (0.0, 1.0), 0.05, key="history_conf")
        text = st.text_input(
            "Search the interpretations",
            key="history_text",
            help="Whole words, in any order: every word must appear in the reading's texts.",
        )
    return ExploreFilter(
        date_from=date_from if isinstance(date_from, date) else None,
        date_to=date_to if isinstance(date_to, date) else None,
        hands=tuple(hands),
        statuses=tuple(statuses),
        analysis_types=tuple(types),
        engines=tuple(engines),
        line=None if line == "any" else line,
        line_found=FOUND_CHOICES.get(found or "any"),
        confidence_min=low,
        confidence_max=high,
        text=text,
    )


def _cursors(criteria: ExploreFilter) -> list[tuple[str, int] | None]:
    """Page starts visited under this filter; a new filter starts over at page one."""
    if st.session_state.get(DIGEST_KEY) != criteria.digest():
        st.session_state[DIGEST_KEY] = criteria.digest()
        st.session_state[CURSORS_KEY] = [None]
    cursors: list[tuple[str, int] | None] = st.session_state.setdefault(CURSORS_KEY, [None])
    return cursors


def current_page(viewer: Viewer, criteria: ExploreFilter) -> HistoryPage:
    start = _cursors(criteria)[-1]
    after = Cursor(datetime.fromisoformat(start[0]), start[1]) if start else None
    return explorer().page(viewer, criteria, after)


def _frame(rows: list[HistoryRow], viewer: Viewer) -> pd.DataFrame:
    columns: dict[str, list[Any]] = {
        "id": [r.id for r in rows],
        "created": [r.created_at for r in rows],
        "hand": [r.hand or "" for r in rows],
        "shape": [r.hand_shape or "" for r in rows],
        "status": [r.status for r in rows],
        "engine": [r.engine or "" for r in rows],
        "lines found": [r.lines_found for r in rows],
        "confidence": [r.mean_confidence for r in rows],
        "types": [", ".join(r.analysis_types) for r in rows],
        "file": [r.filename for r in rows],
    }
    if viewer.sees_everyone:
        columns = {"owner": [r.owner for r in rows], **columns}
    return pd.DataFrame(columns)


def results_table(viewer: Viewer, page: HistoryPage) -> list[HistoryRow]:
    """The page as a table, dates in the person's format and time zone; returns the rows
    the person selected."""
    with transaction(resources.session_factory()) as session:
        prefs = accounts.load_preferences(session, viewer.user_id)
    event = st.dataframe(
        _frame(page.rows, viewer),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key="history_table",
        column_config={
            "id": st.column_config.NumberColumn("#", width="small"),
            "created": st.column_config.DatetimeColumn(
                f"Created ({prefs.time_zone})",
                format=TABLE_DATE_FORMATS.get(prefs.date_format, "D MMM YYYY, HH:mm"),
                timezone=prefs.time_zone,
                width="medium",
            ),
            "hand": st.column_config.TextColumn("Hand", width="small"),
            "shape": st.column_config.TextColumn("Shape", width="small"),
            "status": st.column_config.TextColumn("Status", width="small"),
            "engine": st.column_config.TextColumn("Read by", width="small"),
            "lines found": st.column_config.NumberColumn("Lines found", width="small"),
            "confidence": st.column_config.ProgressColumn(
                "Confidence", min_value=0, max_value=1, format="percent", width="small"
            ),
            "types": st.column_config.TextColumn("Readings", width="large"),
            "file": st.column_config.TextColumn("Photo", width="large"),
            "owner": st.column_config.TextColumn("Owner", width="medium"),
        },
    )
    selected = event["selection"]["rows"] if event is not None else []
    return [page.rows[i] for i in selected if i < len(page.rows)]


def selection_actions(selected: list[HistoryRow]) -> None:
    """Open one of your readings, or compare two to four."""
    left, right, _ = st.columns([1, 1, 3])
    own = len(selected) == 1 and selected[0].is_own
    if left.button(
        "Open reading", disabled=not own, key="history_open", icon=":material/visibility:"
    ):
        st.switch_page("views/reading.py", query_params={"id": str(selected[0].id)})
    comparable = 2 <= len(selected) <= 4 and all(r.status == "done" for r in selected)
    if right.button(
        "Compare", disabled=not comparable, key="history_compare", icon=":material/compare:"
    ):
        ids = ",".join(str(r.id) for r in selected)
        st.switch_page("views/compare.py", query_params={"ids": ids})
    st.caption("Select one of your readings to open it, or two to four finished ones to compare.")


def pager(page: HistoryPage, criteria: ExploreFilter) -> None:
    cursors = _cursors(criteria)
    back, middle, forward = st.columns([1, 4, 1])
    middle.caption(f"Page {len(cursors)}")
    if back.button("← Newer", disabled=len(cursors) == 1, key="history_prev"):
        cursors.pop()
        st.rerun()
    if forward.button("Older →", disabled=page.next_cursor is None, key="history_next"):
        assert page.next_cursor is not None
        cursors.append((page.next_cursor.created_at.isoformat(), page.next_cursor.id))
        st.rerun()


def csv_download(viewer: Viewer, criteria: ExploreFilter) -> None:
    """A link to the streamed CSV route: the whole filtered set, any size, in constant memory
    (the route checks the signed-in session and applies the same viewer scope, and counts
    the download; when downloads are used up for now the page says so instead)."""
    try:
        resources.runtime().export_limits.peek(account=viewer.user_id, address=client_address())
    except RateLimitedError as error:
        st.warning(plain(f"{error.message} [{error.code}]"), icon=":material/hourglass_top:")
        return
    url = f"{web.CSV_PATH}?f={web.encode_filter(criteria)}"
    st.html(
        f'<a class="palm-download" href="{html.escape(url)}" download '
        'data-testid="history-csv">⬇ Download CSV of all matching readings</a>'
        "<style>.palm-download{display:inline-block;padding:.4rem .8rem;border-radius:.5rem;"
        "border:1px solid rgba(49,51,63,.25);text-decoration:none;color:inherit}"
        ".palm-download:hover{border-color:#b8860b;color:#b8860b}</style>"
    )


def granularity(criteria: ExploreFilter) -> Granularity:
    """Days for a short date range, months otherwise (a point per day over years is noise
    and megabytes of chart)."""
    short = criteria.date_from is not None and (
        criteria.date_to or date.today()
    ) - criteria.date_from <= timedelta(days=92)
    default = "day" if short else "month"
    chosen = st.segmented_control(
        "Group by", ["day", "month"], default=default, key=f"history_granularity_{default}"
    )
    return "month" if (chosen or default) == "month" else "day"


def charts(viewer: Viewer, criteria: ExploreFilter) -> None:
    """The history charts, in the person's chart theme."""
    source = explorer()
    with transaction(resources.session_factory()) as session:
        theme = accounts.load_preferences(session, viewer.user_id).chart_theme
    points = source.line_metrics(viewer, criteria, granularity(criteria))
    if points:
        st.plotly_chart(
            themed(explore_charts.metrics_over_time(points), theme), key="history_metrics_chart"
        )
    else:
        st.info("No finished reading with traced lines matches: line metrics appear once one does.")
    left, middle, right = st.columns(3)
    with left:
        st.plotly_chart(
            themed(explore_charts.readings_per_day(source.per_day(viewer, criteria)), theme),
            key="history_day_chart",
        )
    with middle:
        st.plotly_chart(
            themed(explore_charts.hand_shapes(source.shapes(viewer, criteria)), theme),
            key="history_shape_chart",
        )
    with right:
        st.plotly_chart(
            themed(explore_charts.line_presence(source.presence(viewer, criteria)), theme),
            key="history_presence_chart",
        )


def empty_state(viewer: Viewer, criteria: ExploreFilter) -> None:
    if criteria != ExploreFilter():
        st.info("No reading matches these filters. Widen the dates or clear a filter above.")
    elif viewer.sees_everyone:
        st.info("Nobody has a reading yet. Readings appear here as people analyse their palms.")
    else:
        st.info(
            "No readings yet. Upload a palm photo on the **Analyze** page to start your history."
        )
        st.page_link("views/analyze.py", label="Analyze a palm", icon=":material/photo_camera:")


def email_opt_in(user: SessionUser) -> None:
    """Let a person show analysts their e-mail instead of a pseudonym."""
    runtime = resources.runtime()
    current = shows_email(runtime.session_factory, user.id)
    chosen = st.toggle(
        "Show my e-mail to analysts (otherwise they see a pseudonym)",
        value=current,
        key="history_show_email",
    )
    if chosen != current:
        set_shows_email(runtime.session_factory, runtime.redis, user.id, chosen)


def cache_figures(viewer: Viewer) -> None:
    redis = resources.runtime().redis
    if viewer.role != Role.ADMIN or redis is None:
        return
    stats = cache_stats(redis)
    if stats is None:  # a monitoring caption must never break the page
        return
    st.caption(f"Explore cache: {stats.hits} hits, {stats.misses} misses ({stats.hit_rate:.0%}).")
