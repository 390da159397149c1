"""Profile page: the person's personal access tokens for the REST API — create one (its
secret shown once, here, then never again), see which exist, revoke one.

Session state keys owned here: profile_token_* (the form), profile_token_secret (the new
token's secret until the run that shows it).
"""

from __future__ import annotations

import streamlit as st

from palm import accounts
from palm.db import transaction
from palm.errors import PalmError
from palm.ui import resources
from palm.ui.auth import SessionUser
from palm.ui.preferences import load
from palm.ui.text import plain
from palm.vocabulary import Role, TokenScope

SECRET_KEY = "profile_token_secret"
EXPIRY_CHOICES: dict[str, int | None] = {
    "30 days": 30,
    "90 days": 90,
    "1 year": 365,
    "never": None,
}


def _scopes_for(user: SessionUser) -> list[str]:
    allowed = [TokenScope.READ, TokenScope.WRITE]
    if user.role != Role.USER:
        allowed.append(TokenScope.ADMIN)
    return [scope.value for scope in allowed]


def token_form(user: SessionUser) -> None:
    """Create a token; its secret is kept for the next run only, which shows it once."""
    st.subheader("API tokens")
    st.caption(
        "Personal access tokens let scripts and apps use the Palmline API as you "
        "(`Authorization: Bearer …`). A token is shown once: copy it when it appears."
    )
    _show_new_secret()
    with st.form("profile_token", clear_on_submit=True):
        name = st.text_input(
            "Token name", max_chars=accounts.MAX_TOKEN_NAME, key="profile_token_name"
        )
        scopes = st.multiselect(
            "Scopes", _scopes_for(user), default=["read"], key="profile_token_scopes"
        )
        expiry = st.selectbox("Expires after", list(EXPIRY_CHOICES), key="profile_token_expiry")
        if not st.form_submit_button("Create token"):
            return
    with transaction(resources.session_factory()) as session:
        try:
            _, secret = accounts.create_token(
                session, user.id, name=name, scopes=scopes, expires_in_days=EXPIRY_CHOICES[expiry]
            )
        except PalmError as error:
            st.error(plain(error.message))
            return
    st.session_state[SECRET_KEY] = secret
    st.rerun()


def _show_new_secret() -> None:
    secret = st.session_state.pop(SECRET_KEY, None)
    if secret:
        st.success("Your new token — copy it now, it will not be shown again:")
        st.code(secret, language=None)


def token_list(user: SessionUser) -> None:
    """The person's tokens (never their secrets); revoke one."""
    prefs = load(user)
    with transaction(resources.session_factory()) as session:
        tokens = accounts.list_tokens(session, user.id)
    for token in tokens:
        with st.container(border=True):
            left, right = st.columns([4, 1])
            left.text(f"{token.name} — {token.prefix}…")
            used = prefs.when(token.last_used_at) if token.last_used_at else "never"
            until = prefs.when(token.expires_at) if token.expires_at else "no expiry"
            state = "revoked" if token.revoked else f"expires: {until}"
            left.caption(f"{', '.join(token.scopes)} · last used: {used} · {state}")
            if not token.revoked and right.button("Revoke", key=f"profile_token_revoke_{token.id}"):
                _revoke(user, token.id)


def _revoke(user: SessionUser, token_id: int) -> None:
    with transaction(resources.session_factory()) as session:
        try:
            accounts.revoke_token(session, user.id, token_id)
        except PalmError as error:
            st.error(plain(error.message))
            return
    st.rerun()
