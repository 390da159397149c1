"""My readings components: rows with thumbnails, delete, keyset paging.

Session state keys owned here: readings_cursors (the stack of page starts), readings_deleted.
"""

from __future__ import annotations

from datetime import datetime

import streamlit as st

from palm import readings
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser

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
    start = _cursors()[-1]
    after = (datetime.fromisoformat(start[0]), start[1]) if start else None
    with transaction(resources.session_factory()) as session:
        return readings.list_readings(session, user.id, after=after, limit=PAGE_SIZE + 1)


def reading_row(user: SessionUser, row: readings.ReadingRow) -> None:
    with st.container(border=True):
        thumb, text, actions = st.columns([1, 4, 1])
        _thumbnail(thumb, row.thumbnail_key)
        text.markdown(
            f"**{row.filename}** · {row.created_at:%d %b %Y %H:%M} · "
            f"{(row.hand or 'hand ?').title()} · {STATUS_LABELS.get(row.status, '')}"
        )
        text.caption(row.summary or ", ".join(row.analysis_types))
        if row.status == "failed" and row.error_code:
            text.caption(f"Failed: {row.error_code}")
        actions.page_link("views/reading.py", label="Open", query_params={"id": str(row.id)})
        with actions.popover("Delete"):
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
    back, _, forward = st.columns([1, 4, 1])
    if back.button("← Newer", disabled=len(cursors) == 1, key="readings_prev"):
        cursors.pop()
        st.rerun()
    if forward.button("Older →", disabled=len(rows) <= PAGE_SIZE, key="readings_next"):
        last = rows[PAGE_SIZE - 1]
        cursors.append((last.created_at.isoformat(), last.id))
        st.rerun()
