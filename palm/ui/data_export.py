"""Export my data: one click queues the job, its progress shows while it runs (polled once a
second), then the zip is offered for download until it is deleted 24 h later.

Session state keys owned here: export_request, export_download (widget keys).
"""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from palm import jobs, privacy
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.address import client_address
from palm.ui.auth import SessionUser
from palm.ui.preferences import load
from palm.ui.text import plain


def _status(user: SessionUser) -> privacy.ExportStatus | None:
    runtime = resources.runtime()
    if runtime.redis is None:
        return None
    with transaction(runtime.session_factory) as session:
        return privacy.export_status(session, runtime.redis, user.id)


def export_section(user: SessionUser) -> None:
    st.subheader("Export my data")
    st.caption(
        "A zip of your readings (JSON and CSV), original photos, overlays, chats, profile, "
        "preferences, shares and activity, kept for 24 hours."
    )
    runtime = resources.runtime()
    if runtime.queues is None:
        st.caption("Exports need the job queue (REDIS_URL).")
        return
    status = _status(user)
    busy = status is not None and status.busy
    if st.button("Export my data", icon=":material/archive:", disabled=busy, key="export_request"):
        try:
            privacy.request_export(
                runtime.session_factory,
                runtime.queues,
                user_id=user.id,
                policy=jobs.export_policy(runtime.settings),
                rate=runtime.export_limits,
                address=client_address(),
            )
        except PalmError as error:
            st.error(plain(error.message))
            return
        status = _status(user)
    if status is not None and status.busy:
        _live(user)
    elif status is not None:
        _show(user, status)


@st.fragment(run_every=1.0)
def _live(user: SessionUser) -> None:
    """Re-reads the job's row every second; a full rerun ends the polling."""
    status = _status(user)
    if status is None or not status.busy:
        st.rerun()
        return
    st.progress(status.progress, text=plain(f"Building your export: {status.stage}"))


def _show(user: SessionUser, status: privacy.ExportStatus) -> None:
    runtime = resources.runtime()
    if status.ready and runtime.redis is not None:
        data = privacy.fetch_export(runtime.redis, runtime.cipher, user.id)
        if data is not None:
            day = datetime.now(UTC).strftime("%Y-%m-%d")
            st.download_button(
                "Download my data (zip)",
                data,
                file_name=f"palmline-export-{day}.zip",
                mime="application/zip",
                icon=":material/download:",
                key="export_download",
                on_click="ignore",  # a download changes nothing on the page: no rerun
            )
            st.caption(plain(f"Kept until {load(user).when(status.ready_until)}, then deleted."))
            return
    if status.state == "failed":
        st.error(plain(f"The export failed: {status.error or 'unknown reason'}. Try again."))
