"""My readings components: rows with thumbnails, delete, keyset paging.

Session state keys owned here: readings_cursors (the stack of page starts), readings_deleted.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from palm import accounts, readings
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.preferences import one_line
from palm.ui.text import plain

PAGE_SIZE = 10
CURSORS_KEY = "readings_cursors"
STATUS_LABELS = {
    "queued": ":material/schedule: queued",
    "running": ":material/autorenew: running",
    "done": ":material/check_circle: done",
    "failed": ":material/error: failed",
}


def _cursors() -> list[tuple[str, int] | None]:
    """Where each visited page started; the last one is the current page."""
    cursors: list[tuple[str, int] | None] = st.session_state.setdefault(CURSORS_KEY, [None])
    return cursors


def current_page(user: SessionUser) -> list[readings.ReadingRow]:
    """The readings of this page (one extra row tells whether there is a next page)."""
    start = _cursors()[-1]
    after = (datetime.fromisoformat(start[0]), start[1]) if start else None
    with transaction(resources.session_factory()) as session:
        return readings.list_readings(
            session, user.id, after=after, limit=PAGE_SIZE + 1, failed=False
        )


def unreadable(user: SessionUser) -> list[readings.ReadingRow]:
    """Photos that could not be read, newest first: shown apart, with their reason."""
    with transaction(resources.session_factory()) as session:
        return readings.list_readings(session, user.id, limit=20, failed=True)


def reading_row(
    user: SessionUser, row: readings.ReadingRow, prefs: accounts.ReadingPreferences
) -> None:
    with st.container(border=True):
        thumb, text, actions = st.columns([1, 4, 1])
        _thumbnail(thumb, row.thumbnail_key)
        hand = f"{row.hand} hand" if row.hand else "hand not known yet"
        text.markdown(
            f"**{plain(row.filename)}** · {plain(prefs.when(row.created_at))} · "
            f"{plain(hand.capitalize())} · {STATUS_LABELS.get(row.status, '')}"
        )
        text.caption(plain(one_line(prefs, row) or ", ".join(row.analysis_types)))
        actions.page_link("views/reading.py", label="Open", query_params={"id": str(row.id)})
        _delete_button(user, row, actions)


def unreadable_row(
    user: SessionUser, row: readings.ReadingRow, prefs: accounts.ReadingPreferences
) -> None:
    text, actions = st.columns([5, 1])
    text.markdown(f"**{plain(row.filename)}** · {plain(prefs.when(row.created_at))}")
    text.caption(plain(f"{row.error_message or 'It could not be read.'} [{row.error_code}]"))
    _delete_button(user, row, actions)


def _delete_button(
    user: SessionUser, row: readings.ReadingRow, column: st.delta_generator.DeltaGenerator
) -> None:
    with column.popover("Delete"):
        st.write("Delete this reading, its photo and overlay? This cannot be undone.")
        if st.button("Delete for good", key=f"delete_{row.id}", type="primary"):
            _delete(user, row.id)


def _thumbnail(column: st.delta_generator.DeltaGenerator, key: str | None) -> None:
    if key is None:
        column.markdown(":material/back_hand:")
        return
    try:
        column.image(resources.blob_store().get(key), width=96)
    except PalmError:
        column.markdown(":material/back_hand:")


def _delete(user: SessionUser, reading_id: int) -> None:
    runtime = resources.runtime()
    readings.remove_reading(
        runtime.session_factory, runtime.blob_store, runtime.redis, user.id, reading_id
    )
    st.toast("Reading deleted.")
    st.rerun()


def pager(rows: list[readings.ReadingRow]) -> None:
    """Previous/next over the keyset pages; one extra row fetched tells if there is a next."""
    cursors = _cursors()
    if len(cursors) == 1 and len(rows) <= PAGE_SIZE:
        return  # one page: nothing to page through
    back, _, forward = st.columns([1, 4, 1])
    if back.button("← Newer", disabled=len(cursors) == 1, key="readings_prev"):
        cursors.pop()
        st.rerun()
    if forward.button("Older →", disabled=len(rows) <= PAGE_SIZE, key="readings_next"):
        last = rows[PAGE_SIZE - 1]
        cursors.append((last.created_at.isoformat(), last.id))
        st.rerun()
