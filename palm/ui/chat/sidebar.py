"""The chat sidebar: new thread, threads (pinned first, then by folder), and per-thread
organisation (rename, folder, tags, pin, archive, delete). Titles, folders and tags are the
person's own text: shown as plain text.

Session state keys owned here: chat_conversation_id (the open thread), chat_show_archived,
chat_folder_view. Other chat modules read the open thread through ``current_id``.
"""

from __future__ import annotations

import streamlit as st

from palm.chat import ThreadRow
from palm.ui.auth import SessionUser
from palm.ui.chat import data as chat_data
from palm.ui.text import plain

CURRENT_KEY = "chat_conversation_id"
ARCHIVED_KEY = "chat_show_archived"
FOLDER_KEY = "chat_folder_view"
ALL_FOLDERS = "All folders"
NO_READING = "Not about a reading"


def current_id() -> int | None:
    value = st.session_state.get(CURRENT_KEY)
    return int(value) if value is not None else None


def open_thread(conversation_id: int | None) -> None:
    st.session_state[CURRENT_KEY] = conversation_id
    if conversation_id is None:
        st.query_params.pop("c", None)
    else:
        st.query_params["c"] = str(conversation_id)


def resolve_current(user: SessionUser) -> int | None:
    """The thread to show: ?reading= (Ask about this reading), ?c=, or the one open before."""
    reading = st.query_params.get("reading")
    if reading and reading.isdigit():
        st.query_params.pop("reading", None)
        open_thread(chat_data.thread_for_reading(user, int(reading)))
    elif current_id() is None and (raw := st.query_params.get("c")) and raw.isdigit():
        st.session_state[CURRENT_KEY] = int(raw)
    cid = current_id()
    if cid is not None and chat_data.thread(user, cid) is None:
        open_thread(None)  # deleted, or someone else's id in the URL
        return None
    return cid


def new_thread_form(user: SessionUser) -> None:
    readings = chat_data.finished_readings(user)
    with st.popover("New conversation", icon=":material/add_comment:", width="stretch"):
        options: list[int | None] = [None, *readings]
        choice = st.selectbox(
            "About",
            options,
            format_func=lambda rid: NO_READING if rid is None else readings[rid],
            index=1 if readings else 0,
            key="chat_new_reading",
        )
        if st.button("Start", key="chat_new_start", type="primary"):
            open_thread(chat_data.new_thread(user, choice))
            st.rerun()


def thread_list(user: SessionUser) -> None:
    archived = st.toggle("Show archived", key=ARCHIVED_KEY)
    rows = chat_data.threads(user, archived=archived)
    folders = sorted({row.folder for row in rows if row.folder})
    view = st.selectbox("Folder", [ALL_FOLDERS, *folders], key=FOLDER_KEY)
    if view != ALL_FOLDERS:
        rows = [row for row in rows if row.folder == view]
    if not rows:
        st.caption("No conversations here yet.")
        return
    for heading, group in _sections(rows):
        st.caption(heading)
        for row in group:
            _thread_entry(user, row, folders)


def _sections(rows: list[ThreadRow]) -> list[tuple[str, list[ThreadRow]]]:
    """Pinned threads first, then one section per folder, then the rest; newest first."""
    newest = sorted(rows, key=lambda r: -r.updated_at.timestamp())
    sections = [(":material/push_pin: Pinned", [r for r in newest if r.pinned])]
    unpinned = [r for r in newest if not r.pinned]
    for folder in sorted({r.folder for r in unpinned if r.folder}):
        sections.append(
            (f":material/folder: {plain(folder)}", [r for r in unpinned if r.folder == folder])
        )
    sections.append((":material/forum: Not in a folder", [r for r in unpinned if not r.folder]))
    return [(heading, group) for heading, group in sections if group]


def _thread_entry(user: SessionUser, row: ThreadRow, folders: list[str]) -> None:
    pin = ":material/push_pin: " if row.pinned else ""
    tags = " ".join(f"#{tag}" for tag in row.tags)
    left, right = st.columns([5, 1], vertical_alignment="center")
    selected = row.id == current_id()
    if left.button(
        f"{pin}{plain(row.title)}",
        key=f"chat_open_{row.id}",
        type="primary" if selected else "tertiary",
        width="stretch",
        help=plain(f"{row.message_count} messages · folder: {row.folder or '—'}"),
    ):
        open_thread(row.id)
        st.rerun()
    about = " · ".join(part for part in (row.reading_label, tags) if part)
    if about:
        left.caption(plain(about))
    with right.popover("", icon=":material/more_vert:"):
        _organise(user, row, folders)


def _organise(user: SessionUser, row: ThreadRow, folders: list[str]) -> None:
    title = st.text_input("Title", value=row.title, key=f"chat_title_{row.id}")
    folder = st.selectbox(
        "Move to folder",
        ["", *folders],
        index=folders.index(row.folder) + 1 if row.folder in folders else 0,
        format_func=lambda f: f or "(no folder)",
        key=f"chat_folder_{row.id}",
    )
    new_folder = st.text_input("…or a new folder", key=f"chat_newfolder_{row.id}")
    tags = st.text_input("Tags", value=" ".join(row.tags), key=f"chat_tags_{row.id}")
    if st.button("Save", key=f"chat_save_{row.id}", type="primary"):
        chat_data.organise(user, row.id, "rename", title)
        chat_data.organise(user, row.id, "folder", new_folder.strip() or folder)
        chat_data.organise(user, row.id, "tags", tags)
        st.rerun()
    pin, archive, delete = st.columns(3)
    if pin.button("Unpin" if row.pinned else "Pin", key=f"chat_pin_{row.id}"):
        chat_data.organise(user, row.id, "pin", not row.pinned)
        st.rerun()
    if archive.button("Restore" if row.archived else "Archive", key=f"chat_archive_{row.id}"):
        chat_data.organise(user, row.id, "archive", not row.archived)
        st.rerun()
    if delete.button("Delete", key=f"chat_delete_{row.id}"):
        chat_data.organise(user, row.id, "delete")
        if row.id == current_id():
            open_thread(None)
        st.rerun()
