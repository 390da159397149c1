"""Search & filter across the user's chats, and the export buttons.

Session state keys owned here: chat_search_query, chat_search_folder, chat_search_tag,
chat_search_reading, chat_search_dates, chat_search_pinned, chat_search_archived,
chat_export_format.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import streamlit as st

from palm.chat import SearchFilters
from palm.ui.auth import SessionUser
from palm.ui.chat import data as chat_data
from palm.ui.chat import sidebar as chat_sidebar
from palm.ui.chat import thread as chat_thread
from palm.ui.preferences import load
from palm.ui.text import plain

ANY = "Any"
TRI_STATE: dict[str, bool | None] = {ANY: None, "Yes": True, "No": False}
FORMATS = {
    "Markdown": ("md", "text/markdown"),
    "JSON": ("json", "application/json"),
    "PDF": ("pdf", "application/pdf"),
}


def _jump(conversation_id: int, message_id: int | None) -> None:
    chat_sidebar.open_thread(conversation_id)
    st.session_state[chat_thread.JUMP_KEY] = message_id


def _filters(user: SessionUser) -> SearchFilters:
    folders, tags = chat_data.folders_and_tags(user)
    readings = chat_data.finished_readings(user)
    one, two, three = st.columns(3)
    folder = one.selectbox("Folder", [ANY, *folders], key="chat_search_folder")
    tag = two.selectbox("Tag", [ANY, *tags], key="chat_search_tag")
    reading = three.selectbox(
        "Reading",
        [None, *readings],
        format_func=lambda r: ANY if r is None else readings[r],
        key="chat_search_reading",
    )
    four, five, six = st.columns(3)
    dates: Any = four.date_input("Between", value=[], key="chat_search_dates")
    pinned = five.selectbox("Pinned", list(TRI_STATE), key="chat_search_pinned")
    archived = six.selectbox("Archived", list(TRI_STATE), key="chat_search_archived")
    start, end = _date_range(dates)
    return SearchFilters(
        folder=None if folder == ANY else folder,
        tag=None if tag == ANY else tag,
        reading_id=reading,
        date_from=start,
        date_to=end,
        pinned=TRI_STATE[pinned],
        archived=TRI_STATE[archived],
    )


def _date_range(value: Any) -> tuple[date | None, date | None]:
    picked = list(value) if isinstance(value, list | tuple) else [value] if value else []
    if not picked:
        return None, None
    return picked[0], picked[-1]


def search_panel(user: SessionUser) -> None:
    """A search box with filters; each result opens its thread at the message."""
    with st.expander("Search your conversations", icon=":material/search:"):
        query = st.text_input("Words to find", key="chat_search_query", placeholder="florist")
        filters = _filters(user)
        if not query.strip():
            return
        hits = chat_data.search(user, query, filters)
        when = load(user).when
        st.caption(
            f"{len(hits)} result(s)" + (" (showing the newest 50)" if len(hits) == 50 else "")
        )
        for index, hit in enumerate(hits):
            where = (
                "title" if hit.message_id is None else ("you" if hit.role == "user" else "reader")
            )
            st.button(
                f"**{plain(hit.title)}** · {plain(when(hit.created_at))} · {where}: "
                + plain(hit.snippet),
                key=f"chat_hit_{index}",
                on_click=_jump,
                args=(hit.conversation_id, hit.message_id),
                type="tertiary",
            )


def export_buttons(user: SessionUser, conversation_id: int | None) -> None:
    """Download this thread or every thread as Markdown, JSON or PDF (built on click)."""
    with st.popover("Export", icon=":material/download:"):
        refusal = chat_data.export_refusal(user)
        if refusal is not None:
            wait = plain(f"{refusal.message} [{refusal.code}]")
            st.warning(wait, icon=":material/hourglass_top:")
            return
        label = st.radio("Format", list(FORMATS), horizontal=True, key="chat_export_format")
        kind, mime = FORMATS[label]
        if conversation_id is not None:
            _download(user, conversation_id, label, kind, mime)
        _download(user, None, label, kind, mime)


def _download(
    user: SessionUser, conversation_id: int | None, label: str, kind: str, mime: str
) -> None:
    one = conversation_id is not None
    st.download_button(
        f"{'This conversation' if one else 'All conversations'} ({label})",
        data=chat_data.export_data(user, conversation_id, kind),
        file_name=f"palmline-chat-thread-{conversation_id}.{kind}"
        if one
        else f"palmline-chat-all.{kind}",
        mime=mime,
        key="chat_export_one" if one else "chat_export_all",
        on_click="ignore",
    )
