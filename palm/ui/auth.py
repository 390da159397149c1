"""Sign-in state of a browser tab, kept across reloads, tabs and restarts by a server-side
session (palm.accounts.sessions) whose token the browser keeps in an HttpOnly cookie.

Keys owned here: auth_user_id, auth_token_hash, auth_session_ref, auth_pending, auth_next,
auth_page.
The role is re-read from the database on every run, so a role change applies at once and a
deleted or disabled account is signed out; a session revoked elsewhere signs this tab out on
its next run.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st

from palm import accounts
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.address import client_address
from palm.ui.text import plain
from palm.vocabulary import Role

USER_KEY = "auth_user_id"
TOKEN_KEY = "auth_token_hash"  # the cookie session this tab follows ("" = signed in here)
SESSION_REF_KEY = "auth_session_ref"
PENDING_KEY = "auth_pending"  # a navigation to do once the page has rendered
NEXT_KEY = "auth_next"  # where a signed-out visitor was going
PAGE_KEY = "auth_page"  # the page last noted on the server-side session


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


def _cookie_token() -> str:
    return str(st.context.cookies.get(accounts.SESSION_COOKIE) or "")


def _follow_cookie() -> None:
    """Adopt the browser's session after a reload or in a new tab; drop a revoked one."""
    token, redis = _cookie_token(), resources.runtime().redis
    if not token or redis is None:
        return
    hashed = accounts.token_hash(token)
    try:
        info = accounts.resolve_session(
            redis, token, idle_seconds=resources.settings().session_idle_seconds
        )
    except PalmError:
        return  # the banner says Redis is down; this tab keeps what it had
    if info is None:
        if st.session_state.get(TOKEN_KEY) == hashed:
            _forget_user()
    elif USER_KEY not in st.session_state:
        st.session_state[USER_KEY] = info.user_id
        st.session_state[TOKEN_KEY] = hashed


def note_page(url_path: str) -> None:
    """Tell the server-side session which page this tab runs (the admin's presence by page);
    written only when the tab moves to another page, so a rerun costs nothing."""
    token, redis = _cookie_token(), resources.runtime().redis
    if not token or redis is None or st.session_state.get(PAGE_KEY) == (token, url_path):
        return
    try:
        accounts.note_page(redis, token, url_path or "/")
    except PalmError:
        return  # the banner says Redis is down; the next page will try again
    st.session_state[PAGE_KEY] = (token, url_path)


def user_agent() -> str:
    agent = st.context.headers.get("User-Agent")
    return agent if isinstance(agent, str) else ""  # AppTest runs have no connection


def current_session_id() -> str:
    """The id of this browser's server-side session (its cookie token's hash), "" if none."""
    token = _cookie_token()
    return accounts.token_hash(token) if token else ""


def signed_out_everywhere() -> None:
    """After this browser's own session was revoked: sign the tab out, drop the cookie."""
    token = _cookie_token()
    _forget_user()
    if token:
        st.session_state[PENDING_KEY] = "/auth/signout"


def _forget_user() -> None:
    st.session_state.pop(USER_KEY, None)
    st.session_state.pop(TOKEN_KEY, None)


def current_user() -> SessionUser | None:
    _follow_cookie()
    user_id = st.session_state.get(USER_KEY)
    if user_id is None:
        return None
    with transaction(resources.session_factory()) as session:
        user = accounts.get_user(session, user_id)
        if user is None or user.disabled_at is not None:
            _forget_user()
            return None
        return SessionUser(id=user.id, email=user.email, role=Role(user.role))


def remember_destination(url_path: str) -> None:
    """Where a signed-out visitor was going, so signing in returns there."""
    query = urlencode(st.query_params.to_dict())
    st.session_state[NEXT_KEY] = "/" + url_path + (f"?{query}" if query else "")


def _log_in(user_id: int) -> None:
    """Signed in for this tab at once; the cookie follows through /auth/complete."""
    st.session_state[USER_KEY] = user_id
    st.session_state[TOKEN_KEY] = ""
    redis = resources.runtime().redis
    if redis is None:
        return
    destination = str(st.session_state.pop(NEXT_KEY, "/"))
    try:
        ticket = accounts.issue_sign_in_ticket(redis, user_id, destination)
    except PalmError:
        return
    st.session_state[PENDING_KEY] = "/auth/complete?" + urlencode({"ticket": ticket})


def follow_pending_navigation() -> None:
    """Go where a sign-in or sign-out left us (a route sets or clears the cookie)."""
    target = st.session_state.pop(PENDING_KEY, None)
    if target:
        script = f"<script>window.location.replace({json.dumps(target)});</script>"
        st.html(script, unsafe_allow_javascript=True)


def attempt_login(email: str, password: str) -> str | None:
    """Log in, or return the message to show on the form. A refusal's audit event commits
    with the transaction (the error is caught inside it)."""
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        try:
            user = accounts.sign_in(
                session,
                email,
                password,
                address=client_address(),
                limits=runtime.sign_in_limits,
                session_ref=session_ref(),
                user_agent=user_agent(),
            )
        except PalmError as error:
            return error.message
        _log_in(user.id)
    return None


def attempt_sign_up(email: str, password: str, repeat: str) -> str | None:
    """Create the account and log in, or return the message to show on the form."""
    if password != repeat:
        return "The two passwords differ."
    runtime = resources.runtime()
    with transaction(runtime.session_factory) as session:
        try:
            user = accounts.limited_sign_up(
                session,
                email,
                password,
                address=client_address(),
                limits=runtime.sign_up_limits,
                session_ref=session_ref(),
                min_password_length=runtime.settings.palm_min_password_length,
                user_agent=user_agent(),
            )
        except PalmError as error:
            return error.message
        _log_in(user.id)
    return None


def log_out() -> None:
    """End the browser's session (every tab), then drop the cookie via /auth/signout."""
    user_id = st.session_state.get(USER_KEY)
    token, redis = _cookie_token(), resources.runtime().redis
    if token and redis is not None:
        try:
            accounts.revoke_session(redis, token)
        except PalmError as error:
            st.error(plain(error.message))
            return
    _forget_user()
    if user_id is not None:
        with transaction(resources.session_factory()) as session:
            accounts.record_logout(session, user_id, session_ref=session_ref())
    if token:
        st.session_state[PENDING_KEY] = "/auth/signout"


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
