"""Log-in state for a browser session. Keys owned here: auth_user_id, auth_session_ref.

Only the user id is kept in session state; the role is re-read from the database on every
run, so a role change applies at once and a deleted account is logged out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import streamlit as st

from palm import accounts
from palm.db import transaction
from palm.ui import resources
from palm.vocabulary import Role

USER_KEY = "auth_user_id"
SESSION_REF_KEY = "auth_session_ref"


@dataclass(frozen=True)
class SessionUser:
    id: int
    email: str
    role: Role


def session_ref() -> str:
    """A random id for this browser session, written into audit events."""
    if SESSION_REF_KEY not in st.session_state:
        st.session_state[SESSION_REF_KEY] = secrets.token_hex(8)
    return str(st.session_state[SESSION_REF_KEY])


def current_user() -> SessionUser | None:
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    with transaction(resources.session_factory()) as session:
        user = accounts.get_user(session, user_id)
        if user is None:
            del st.session_state[USER_KEY]
            return None
        return SessionUser(id=user.id, email=user.email, role=Role(user.role))


def _log_in(user_id: int) -> None:
    st.session_state[USER_KEY] = user_id


def _login_allowed(email: str) -> bool:
    """Per-address attempt limit in Redis (fails open without Redis: the banner shows)."""
    limiter = resources.runtime().login_limiter
    return limiter is None or limiter.allows(accounts.normalise_email(email))


def attempt_login(email: str, password: str) -> str | None:
    """Log in, or return the message to show on the form."""
    if not _login_allowed(email):
        return "Too many attempts for this address. Wait a minute and try again."
    with transaction(resources.session_factory()) as session:
        try:
            user = accounts.authenticate(session, email, password, session_ref=session_ref())
        except accounts.AccountError as error:
            return error.message
        _log_in(user.id)
    return None


def attempt_sign_up(email: str, password: str, repeat: str) -> str | None:
    """Create the account and log in, or return the message to show on the form."""
    if password != repeat:
        return "The two passwords differ."
    with transaction(resources.session_factory()) as session:
        try:
            user = accounts.sign_up(
                session,
                email,
                password,
                session_ref=session_ref(),
                min_password_length=resources.settings().palm_min_password_length,
            )
        except accounts.AccountError as error:
            return error.message
        _log_in(user.id)
    return None


def log_out() -> None:
    user_id = st.session_state.pop(USER_KEY, None)
    if user_id is not None:
        with transaction(resources.session_factory()) as session:
            accounts.record_logout(session, user_id, session_ref=session_ref())


def require_role(*allowed: Role) -> SessionUser:
    """Stop the page for anyone not logged in with one of the allowed roles."""
    user = current_user()
    if user is None:
        st.error("Please log in first.")
        st.stop()
    if allowed and user.role not in allowed:
        st.error("You do not have access to this page.")
        st.stop()
    return user
