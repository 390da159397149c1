"""Analyze page components: the upload form and the live batch progress.

Session state keys owned here: analyze_batch_id, analyze_announced, analyze_uploads,
analyze_types, analyze_hand_table.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from palm import accounts, readings
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.vocabulary import TYPE_LABELS, HandChoice

BATCH_KEY = "analyze_batch_id"
ANNOUNCED_KEY = "analyze_announced"
STATUS_ICONS = {
    "queued": ":material/schedule:",
    "running": ":material/autorenew:",
    "done": ":material/check_circle:",
    "failed": ":material/error:",
}


def upload_form(user: SessionUser) -> None:
    settings = resources.settings()
    files = st.file_uploader(
        f"Palm photos (up to {settings.palm_batch_limit})",
        accept_multiple_files=True,
        type=["jpg", "jpeg", "png", "webp", "heic", "heif", "bmp"],
        key="analyze_uploads",
    )
    types = st.multiselect(
        "What should the reading cover?",
        list(TYPE_LABELS),
        default=_default_types(user),
        format_func=TYPE_LABELS.__getitem__,
        key="analyze_types",
    )
    hands = _hand_table([file.name for file in files or []])
    if st.button("Read my palm", type="primary", disabled=not files, key="analyze_submit"):
        uploads = [
            readings.Upload(file.name, file.getvalue(), hands.get(file.name, "auto"))
            for file in files or []
        ]
        _submit(user, uploads, types)


def _hand_table(names: list[str]) -> dict[str, HandChoice]:
    """Which hand each photo shows; "auto" lets the app decide."""
    if not names:
        return {}
    frame = pd.DataFrame({"photo": names, "hand": ["auto"] * len(names)})
    edited = st.data_editor(
        frame,
        hide_index=True,
        disabled=["photo"],
        key="analyze_hand_table",
        column_config={
            "hand": st.column_config.SelectboxColumn(
                "hand", options=["auto", "left", "right"], required=True
            )
        },
    )
    return dict(zip(edited["photo"], edited["hand"], strict=True))


def _submit(user: SessionUser, uploads: list[readings.Upload], types: list[str]) -> None:
    runtime = resources.runtime()
    if runtime.queues is None:
        st.error("The job queue is not configured (REDIS_URL). Start Palmline with `make run`.")
        return
    try:
        batch = readings.submit_batch(
            runtime.session_factory,
            runtime.queues,
            runtime.blob_store,
            user_id=user.id,
            uploads=uploads,
            analysis_types=types,
            limits=runtime.batch_limits,
        )
    except PalmError as error:
        st.error(error.message)
        return
    with transaction(resources.session_factory()) as session:
        accounts.set_preference(session, user.id, accounts.DEFAULT_ANALYSIS_TYPES, types)
    st.session_state[BATCH_KEY] = batch.batch_id
    st.session_state[ANNOUNCED_KEY] = []


def _default_types(user: SessionUser) -> list[str]:
    """The types this person chose last time, else all of them."""
    with transaction(resources.session_factory()) as session:
        saved = accounts.get_preference(session, user.id, accounts.DEFAULT_ANALYSIS_TYPES)
    chosen = [kind for kind in saved or [] if kind in TYPE_LABELS]
    return chosen or list(TYPE_LABELS)


def _is_finished(item: readings.BatchItem) -> bool:
    return item.status in ("done", "failed")


def batch_progress(user: SessionUser) -> None:
    """The latest batch: polled live while photos are in flight, static once all finished."""
    batch_id = st.session_state.get(BATCH_KEY)
    if not batch_id:
        return
    items = _items(user, batch_id)
    if all(_is_finished(item) for item in items):
        _render_batch(items)
    else:
        _live_batch(user, batch_id)


def _items(user: SessionUser, batch_id: str) -> list[readings.BatchItem]:
    with transaction(resources.session_factory()) as session:
        return readings.batch_progress(session, user.id, batch_id)


@st.fragment(run_every=1.0)
def _live_batch(user: SessionUser, batch_id: str) -> None:
    """Re-reads the rows the workers write every second; a full rerun ends the polling."""
    items = _items(user, batch_id)
    _render_batch(items)
    if all(_is_finished(item) for item in items):
        st.rerun()


def _render_batch(items: list[readings.BatchItem]) -> None:
    announced: list[int] = st.session_state.setdefault(ANNOUNCED_KEY, [])
    finished = sum(_is_finished(item) for item in items)
    st.subheader(f"Your batch: {finished} of {len(items)} finished")
    for item in items:
        _progress_row(item)
        if _is_finished(item) and item.reading_id not in announced:
            announced.append(item.reading_id)
            st.toast(
                f"{item.filename}: {'ready' if item.status == 'done' else 'failed'}",
                icon=STATUS_ICONS[item.status],
            )


def _progress_row(item: readings.BatchItem) -> None:
    left, right = st.columns([3, 1])
    label = f"{STATUS_ICONS.get(item.status, '')} **{item.filename}** — {item.stage}"
    left.progress(item.progress, text=label)
    if item.status == "done":
        right.page_link(
            "pages/reading.py", label="Open reading", query_params={"id": str(item.reading_id)}
        )
    elif item.status == "failed":
        left.caption(f"{item.message or 'Failed.'} [{item.error_code}]")
