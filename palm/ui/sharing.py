"""Sharing a reading with someone by e-mail (from Compare and from the Reading page), the
owner's list of active shares, and the notice the recipient gets on their next page.

Session state keys owned here: <key>_share_reading, <key>_share_email, share_revoke_<id>.
"""

from __future__ import annotations

import streamlit as st

from palm import explore
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.address import client_address
from palm.ui.auth import SessionUser, session_ref
from palm.ui.preferences import load
from palm.ui.text import plain


def share_form(user: SessionUser, readings: dict[int, str], *, key: str) -> None:
    """Pick one of ``readings`` (id → label) and an address; the reply never says whether
    the address has an account."""
    with st.form(f"{key}_share_form", clear_on_submit=True):
        reading = st.selectbox(
            "Your reading",
            list(readings),
            format_func=lambda i: readings.get(i, str(i)),
            key=f"{key}_share_reading",
            disabled=len(readings) <= 1,
        )
        email = st.text_input("Their e-mail address", key=f"{key}_share_email")
        if st.form_submit_button("Share", disabled=not readings) and reading is not None:
            _share(user, int(reading), email)


def _share(user: SessionUser, reading_id: int, email: str) -> None:
    runtime = resources.runtime()
    try:
        explore.share_reading(
            runtime.session_factory,
            runtime.redis,
            user.id,
            reading_id,
            email,
            session_ref=session_ref(),
            rate=runtime.share_limits,
            address=client_address(),
        )
    except PalmError as error:
        st.error(plain(error.message))
        return
    st.success(
        plain(
            f"If {email.strip()} has a Palmline account, they can now compare this reading "
            "with theirs; they will see a notice the next time they open Palmline."
        )
    )


def active_shares(user: SessionUser, reading_id: int | None = None) -> None:
    """The person's active shares (of one reading, or all), each with Revoke."""
    prefs = load(user)
    with transaction(resources.session_factory()) as session:
        mine = [
            s
            for s in explore.shares_by(session, user.id, day=prefs.day)
            if s.active and reading_id in (None, s.reading_id)
        ]
    when = prefs.when
    for share in mine:
        text, button = st.columns([4, 1])
        text.markdown(
            plain(f"{share.reading_label} → {share.recipient_email}, since ")
            + plain(when(share.created_at))
        )
        if button.button("Revoke", key=f"share_revoke_{share.id}"):
            _revoke(user, share.id)


def _revoke(user: SessionUser, share_id: int) -> None:
    runtime = resources.runtime()
    share = explore.revoke_share(
        runtime.session_factory, runtime.redis, user.id, share_id, session_ref=session_ref()
    )
    st.toast(plain(f"{share.recipient_email} can no longer see that reading."))
    st.rerun()


def notices(user: SessionUser) -> None:
    """Tell the person, once, about readings shared with them since they last looked."""
    for share in explore.share_notices(resources.session_factory(), user.id):
        st.toast(
            plain(f"{share.owner_email} shared a reading with you: compare it on Compare."),
            icon=":material/share:",
        )
