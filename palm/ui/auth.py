"""Log-in state for a browser session. Keys owned here: auth_user_id, auth_session_ref.

Only the user id is kept in session state; the role is re-read from the database on every
run, so a role change applies at once and a deleted account is logged out.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import streamlit as st
from redis.exceptions import RedisError

from palm.db import transaction
from palm.infra.ratelimit import RateLimiter
from palm.models import Role, User
from palm.services import users
from palm.ui import resources

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
        user = session.get(User, user_id)
        if user is None:
            del st.session_state[USER_KEY]
            return None
        return SessionUser(id=user.id, email=user.email, role=Role(user.role))


def _log_in(user: User) -> None:
    st.session_state[USER_KEY] = user.id


@st.cache_resource(show_spinner=False)
def _login_limiter() -> RateLimiter | None:
    """One limiter (and Redis connection pool) per process, not one per attempt."""
    current = resources.settings()
    if not current.redis_url:
        return None
    return RateLimiter(current.redis_url, current.palm_login_attempts_per_minute, "login")


def _login_allowed(email: str) -> bool:
    """Per-address attempt limit in Redis; without Redis the banner shows and we fail open."""
    limiter = _login_limiter()
    if limiter is None:
        return True
    try:
        return limiter.hit(users.normalise_email(email))
    except (RedisError, OSError):
        return True


def attempt_login(email: str, password: str) -> str | None:
    """Log in, or return the message to show on the form."""
    if not _login_allowed(email):
        return "Too many attempts for this address. Wait a minute and try again."
    with transaction(resources.session_factory()) as session:
        try:
            user = users.authenticate(session, email, password, session_ref=session_ref())
        except users.AccountError as error:
            return error.message
        _log_in(user)
    return None


def attempt_sign_up(email: str, password: str, repeat: str) -> str | None:
    """Create the account and log in, or return the message to show on the form."""
    if password != repeat:
        return "The two passwords differ."
    with transaction(resources.session_factory()) as session:
        try:
            user = users.sign_up(
                session,
                email,
                password,
                session_ref=session_ref(),
                min_password_length=resources.settings().palm_min_password_length,
            )
        except users.AccountError as error:
            return error.message
        _log_in(user)
    return None


def log_out() -> None:
    user_id = st.session_state.pop(USER_KEY, None)
    if user_id is not None:
        with transaction(resources.session_factory()) as session:
            users.record_logout(session, user_id, session_ref=session_ref())


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
