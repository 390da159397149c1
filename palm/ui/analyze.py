"""Analyze page components: the upload form and the live progress of the person's batches.

Session state keys owned here: analyze_batch_id, analyze_announced, analyze_uploads_<n>,
analyze_uploader, analyze_busy, analyze_copies, analyze_refused, analyze_types,
analyze_hand_table.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from palm import accounts, readings
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.address import client_address
from palm.ui.auth import SessionUser
from palm.ui.text import plain
from palm.vocabulary import SETTLED_STATUSES, STAGE_LABELS, TYPE_LABELS, HandChoice

BATCH_KEY = "analyze_batch_id"
ANNOUNCED_KEY = "analyze_announced"
UPLOADER_KEY = "analyze_uploader"  # bumping it gives a fresh, empty uploader
BUSY_KEY = "analyze_busy"
COPIES_KEY = "analyze_copies"  # the files refused as copies, waiting for "read again"
REFUSED_KEY = "analyze_refused"  # files the last batch turned away at the door (no rows)
STATUS_ICONS = {
    "queued": ":material/schedule:",
    "running": ":material/autorenew:",
    "done": ":material/check_circle:",
    "failed": ":material/error:",
}


def _uploader_key() -> str:
    return f"analyze_uploads_{st.session_state.setdefault(UPLOADER_KEY, 0)}"


def _mark_busy(allow_copies: bool = False) -> None:
    """The click itself (a callback runs before the script): what the run must send."""
    st.session_state[BUSY_KEY] = "copies" if allow_copies else "new"


def upload_form(user: SessionUser) -> None:
    settings = resources.settings()
    files = st.file_uploader(
        f"Palm photos (up to {settings.palm_batch_limit})",
        accept_multiple_files=True,
        type=["jpg", "jpeg", "png", "webp", "heic", "heif", "bmp"],
        key=_uploader_key(),
    )
    types = st.multiselect(
        "What should the reading cover?",
        list(TYPE_LABELS),
        default=_default_types(user),
        format_func=TYPE_LABELS.__getitem__,
        key="analyze_types",
    )
    hands = _hand_table([file.name for file in files or []], _default_hand(user))
    sending = st.session_state.pop(BUSY_KEY, None)  # set by this run's click, once
    uploads = [
        readings.Upload(file.name, file.getvalue(), hands.get(file.name, "auto"))
        for file in files or []
    ]
    st.button(
        "Read my palm",
        type="primary",
        disabled=not files or sending is not None,  # drawn disabled while this run sends
        key="analyze_submit",
        on_click=_mark_busy,
    )
    _offer_copies(uploads, sending is not None)
    if sending and uploads:  # a click that arrives after the batch left finds no files
        _submit(user, uploads, types, allow_copies=sending == "copies")


def _offer_copies(uploads: list[readings.Upload], sending: bool) -> None:
    """After a refusal as copies: say so, and read them again only if asked."""
    message = st.session_state.get(COPIES_KEY)
    if not message or not uploads:
        return
    st.warning(plain(message), icon=":material/content_copy:")
    st.button(
        "Yes, read them again",
        key="analyze_copies_confirm",
        disabled=sending,
        on_click=_mark_busy,
        kwargs={"allow_copies": True},
    )


def _default_hand(user: SessionUser) -> HandChoice:
    """The dominant hand from the profile, else "auto"."""
    with transaction(resources.session_factory()) as session:
        return accounts.dominant_hand(session, user.id) or "auto"


def _hand_table(names: list[str], default: HandChoice) -> dict[str, HandChoice]:
    """Which hand each photo shows; "auto" lets the app decide."""
    if not names:
        return {}
    frame = pd.DataFrame({"photo": names, "hand": [default] * len(names)})
    edited = st.data_editor(
        frame,
        hide_index=True,
        disabled=["photo"],
        key="analyze_hand_table",
        column_config={
            "photo": st.column_config.TextColumn("Photo"),
            "hand": st.column_config.SelectboxColumn(
                "Hand", options=["auto", "left", "right"], required=True
            ),
        },
    )
    return dict(zip(edited["photo"], edited["hand"], strict=True))


def _submit(
    user: SessionUser, uploads: list[readings.Upload], types: list[str], *, allow_copies: bool
) -> None:
    runtime = resources.runtime()
    st.session_state.pop(COPIES_KEY, None)
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
            allow_copies=allow_copies,
            rate=runtime.submit_limits,
            address=client_address(),
        )
    except readings.DuplicateUploadError as error:
        st.session_state[COPIES_KEY] = error.message
        st.rerun()
    except readings.SubmissionInProgressError:
        return  # the first click's run is sending them
    except PalmError as error:
        st.error(plain(error.message))
        return
    with transaction(runtime.session_factory) as session:
        accounts.set_preference(session, user.id, accounts.DEFAULT_ANALYSIS_TYPES, types)
    st.session_state[BATCH_KEY] = batch.batch_id
    st.session_state[REFUSED_KEY] = list(batch.refused)
    st.session_state[UPLOADER_KEY] = int(st.session_state.get(UPLOADER_KEY, 0)) + 1
    st.rerun()  # a fresh, empty uploader; the batch shows below


def _default_types(user: SessionUser) -> list[str]:
    """The types this person chose last time, else all of them."""
    with transaction(resources.session_factory()) as session:
        saved = accounts.get_preference(session, user.id, accounts.DEFAULT_ANALYSIS_TYPES)
    chosen = [kind for kind in saved or [] if kind in TYPE_LABELS]
    return chosen or list(TYPE_LABELS)


def _is_finished(item: readings.BatchItem) -> bool:
    return item.status in SETTLED_STATUSES


def _batch_ids(user: SessionUser) -> list[str]:
    """This tab's latest batch and every batch of the person's still in flight (after a
    reload or from another tab too), newest first."""
    with transaction(resources.session_factory()) as session:
        active = readings.active_batches(session, user.id)
    latest = st.session_state.get(BATCH_KEY)
    return list(dict.fromkeys([*active, *([latest] if latest else [])]))


def batch_progress(user: SessionUser) -> None:
    """The person's batches: polled live while photos are in flight, static once finished."""
    batches = _batch_ids(user)
    refused: list[readings.Refusal] = st.session_state.get(REFUSED_KEY, [])
    if refused:
        _refusals(refused)
    items = _items(user, batches) if batches else []
    if not items:  # nothing sent (every file refused) or nothing in flight
        return
    if all(_is_finished(item) for item in items):
        _render(items)
    else:
        _live_batches(user, batches)


def _items(user: SessionUser, batches: list[str]) -> list[readings.BatchItem]:
    with transaction(resources.session_factory()) as session:
        return [item for b in batches for item in readings.batch_progress(session, user.id, b)]


@st.fragment(run_every=1.0)
def _live_batches(user: SessionUser, batches: list[str]) -> None:
    """Re-reads the rows the workers write every second; a full rerun ends the polling.
    The finished batch is drawn only by that rerun: links drawn here would be replaced under
    a click that lands while it runs."""
    items = _items(user, batches)
    if all(_is_finished(item) for item in items):
        st.rerun()
    _render(items)


def _render(items: list[readings.BatchItem]) -> None:
    announced: list[int] = st.session_state.setdefault(ANNOUNCED_KEY, [])
    finished = sum(_is_finished(item) for item in items)
    st.subheader(f"Your photos: {finished} of {len(items)} finished")
    for item in items:
        _progress_row(item)
        if _is_finished(item) and item.reading_id not in announced:
            announced.append(item.reading_id)
            outcome = "ready" if item.status == "done" else "could not be read"
            st.toast(plain(f"{item.filename}: {outcome}"), icon=STATUS_ICONS[item.status])


def _refusals(refused: list[readings.Refusal]) -> None:
    """Files of the last batch that were not photos we can read: said once, not stored."""
    st.subheader(f"Not sent: {len(refused)} file{'s' if len(refused) != 1 else ''}")
    for refusal in refused:
        with st.container(border=True):
            st.text(f"✗ {refusal.filename}")
            st.caption(plain(f"{refusal.message} [{refusal.code}]"))


def _progress_row(item: readings.BatchItem) -> None:
    """A bar while the photo is worked on; a refusal is said plainly, with its reason."""
    stage = STAGE_LABELS.get(item.stage, item.stage)
    left, right = st.columns([3, 1])
    if item.status == "failed":
        with left.container(border=True):
            st.text(f"✗ {item.filename} — {stage}")
            st.caption(plain(f"{item.message or 'Failed.'} [{item.error_code}]"))
        return
    left.progress(item.progress, text=plain(f"{item.filename} — {stage}"))
    if item.status == "done":
        right.page_link(
            "views/reading.py", label="Open reading", query_params={"id": str(item.reading_id)}
        )
