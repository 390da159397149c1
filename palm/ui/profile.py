"""Profile & security page components: name and dominant hand, e-mail, password, the
person's sessions (revoke one, sign out everywhere), recent sign-ins, deleting the account.

Session state keys owned here: the form keys profile_*.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from palm import accounts, privacy
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import auth, resources
from palm.ui.auth import SessionUser
from palm.ui.preferences import load
from palm.ui.text import plain
from palm.vocabulary import HANDS, Hand

HAND_CHOICES: tuple[str, ...] = ("not said", *HANDS)


def _profile(user: SessionUser) -> accounts.Profile:
    with transaction(resources.session_factory()) as session:
        return accounts.get_profile(session, user.id)


def details_form(user: SessionUser) -> None:
    """Display name and dominant hand (the default hand on Analyze, and what the reader
    reads as the present; the other hand is read as potential)."""
    profile = _profile(user)
    with st.form("profile_details"):
        st.subheader("About you")
        name = st.text_input(
            "Display name",
            value=profile.display_name,
            max_chars=accounts.MAX_DISPLAY_NAME,
            key="profile_name",
        )
        hand = st.radio(
            "Dominant hand",
            HAND_CHOICES,
            index=HAND_CHOICES.index(profile.dominant_hand or "not said"),
            horizontal=True,
            key="profile_hand",
            help="Readings read your dominant hand as the present and the other as potential.",
        )
        if st.form_submit_button("Save profile"):
            chosen: Hand | None = next((item for item in HANDS if item == hand), None)
            with transaction(resources.session_factory()) as session:
                try:
                    accounts.update_profile(session, user.id, display_name=name, hand=chosen)
                except PalmError as error:
                    st.error(plain(error.message))
                    return
            st.success("Profile saved.")


def email_form(user: SessionUser) -> None:
    with st.form("profile_email", clear_on_submit=True):
        st.subheader("E-mail")
        st.caption("Signed in as")
        st.text(user.email)
        email = st.text_input("New e-mail address", key="profile_email_new")
        password = st.text_input("Current password", type="password", key="profile_email_pw")
        if not st.form_submit_button("Change e-mail"):
            return
    with transaction(resources.session_factory()) as session:
        try:
            accounts.change_email(session, user.id, email, password, session_ref=auth.session_ref())
        except PalmError as error:  # the refusal's audit event commits
            st.error(plain(error.message))
            return
    st.success("Your e-mail address is changed.")


def password_form(user: SessionUser) -> None:
    with st.form("profile_password", clear_on_submit=True):
        st.subheader("Password")
        old = st.text_input("Current password", type="password", key="profile_pw_old")
        new = st.text_input("New password", type="password", key="profile_pw_new")
        repeat = st.text_input("Repeat the new password", type="password", key="profile_pw_rep")
        if not st.form_submit_button("Change password"):
            return
    if new != repeat:
        st.error("The two new passwords differ.")
        return
    runtime = resources.runtime()
    try:
        ended = accounts.change_password(
            runtime.session_factory,
            runtime.redis,
            user_id=user.id,
            old_password=old,
            new_password=new,
            keep_session=auth.current_session_id(),
            session_ref=auth.session_ref(),
            min_length=runtime.settings.palm_min_password_length,
        )
    except PalmError as error:
        st.error(plain(error.message))
        return
    others = f"{ended} other session{'s' if ended != 1 else ''}"
    st.success(f"Your password is changed; {others} signed out.")


def _moment(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=UTC)


def sessions(user: SessionUser) -> None:
    """Where the person is signed in; revoke one, or sign out everywhere."""
    st.subheader("Where you are signed in")
    redis, prefs, here = resources.runtime().redis, load(user), auth.current_session_id()
    if redis is None:
        st.caption("Sessions are not available without Redis.")
        return
    try:
        active = accounts.list_sessions(redis, user.id)
    except PalmError as error:
        st.error(plain(error.message))
        return
    if not active:
        st.caption("No browser holds a session of yours (this tab is signed in on its own).")
    for entry in active:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.text(entry.user_agent or "Unknown browser")
            seen = f"since {prefs.when(_moment(entry.created))}"
            seen += f", last used {prefs.when(_moment(entry.last_seen))}"
            left.caption(("This browser — " if entry.id == here else "") + seen)
            if entry.id != here and right.button("Revoke", key=f"profile_revoke_{entry.id[:16]}"):
                _revoke(user, entry.id)
    if st.button("Sign out everywhere", icon=":material/logout:", key="profile_everywhere"):
        _everywhere(user)


def _revoke(user: SessionUser, session_id: str) -> None:
    runtime = resources.runtime()
    if runtime.redis is None:
        return
    try:
        accounts.revoke_other_session(
            runtime.session_factory,
            runtime.redis,
            user_id=user.id,
            session_id=session_id,
            session_ref=auth.session_ref(),
        )
    except PalmError as error:
        st.error(plain(error.message))
        return
    st.rerun()


def _everywhere(user: SessionUser) -> None:
    runtime = resources.runtime()
    if runtime.redis is None:
        return
    try:
        accounts.sign_out_everywhere(
            runtime.session_factory, runtime.redis, user_id=user.id, session_ref=auth.session_ref()
        )
    except PalmError as error:
        st.error(plain(error.message))
        return
    auth.signed_out_everywhere()
    st.rerun()


def sign_ins(user: SessionUser) -> None:
    """The latest sign-ins and failed attempts, from the audit log."""
    st.subheader("Recent sign-ins")
    prefs = load(user)
    with transaction(resources.session_factory()) as session:
        entries = accounts.recent_sign_ins(session, user.id)
    if not entries:
        st.caption("No sign-ins recorded yet.")
        return
    frame = pd.DataFrame(
        {
            "When": [prefs.when(entry.ts) for entry in entries],
            "Outcome": ["signed in" if entry.succeeded else "failed" for entry in entries],
            "Browser": [entry.user_agent or "—" for entry in entries],
        }
    )
    st.dataframe(frame, hide_index=True, width="stretch")


def delete_account(user: SessionUser) -> None:
    """Delete the account and everything of it, after the typed phrase and the password."""
    with st.expander("Delete my account", icon=":material/delete_forever:"):
        st.warning(
            "This deletes your readings, photos, chats, shares and preferences for good and "
            "signs you out everywhere. The audit log keeps only a pseudonym."
        )
        with st.form("profile_delete", clear_on_submit=True):
            phrase = st.text_input(
                f"Type “{privacy.CONFIRMATION_PHRASE}” to confirm", key="profile_delete_phrase"
            )
            password = st.text_input("Password", type="password", key="profile_delete_pw")
            if not st.form_submit_button("Delete my account for good"):
                return
    runtime = resources.runtime()
    try:
        privacy.delete_account(
            runtime.session_factory,
            runtime.redis,
            runtime.queues,
            runtime.blob_store,
            user_id=user.id,
            password=password,
            confirmation=phrase,
            secret=runtime.pseudonym_secret,
            session_ref=auth.session_ref(),
        )
    except PalmError as error:
        st.error(plain(error.message))
        return
    auth.signed_out_everywhere()
    st.rerun()
