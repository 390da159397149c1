"""Personal access tokens: shown once and kept as a digest, scoped, expiring, revocable by
their owner only, audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import (
    AccountError,
    create_token,
    create_user,
    list_tokens,
    resolve_token,
    revoke_token,
)
from palm.db import transaction
from palm.models import ApiToken, AuditEvent
from palm.vocabulary import Role

PASSWORD = "correct horse battery"


def account(factory: sessionmaker[Session], email: str, role: Role = Role.USER) -> int:
    with transaction(factory) as session:
        return create_user(session, email, PASSWORD, role).id


def test_a_token_is_shown_once_and_only_its_digest_is_stored(
    session_factory: sessionmaker[Session],
) -> None:
    ana = account(session_factory, "ana@example.com")
    with transaction(session_factory) as session:
        info, secret = create_token(session, ana, name="notebook", scopes=["write", "read"])
    with transaction(session_factory) as session:
        row = session.scalars(select(ApiToken)).one()
        assert secret not in (row.digest, row.prefix) and secret.startswith(row.prefix)
        assert row.scopes == ["read", "write"] and info.name == "notebook"
        owner = resolve_token(session, secret)
    assert owner is not None and owner.user_id == ana and owner.scopes == {"read", "write"}


def test_admin_scope_is_for_analysts_and_admins_only(
    session_factory: sessionmaker[Session],
) -> None:
    ana = account(session_factory, "ana@example.com")
    ben = account(session_factory, "ben@example.com", Role.ANALYST)
    with transaction(session_factory) as session, pytest.raises(AccountError) as refused:
        create_token(session, ana, name="x", scopes=["admin"])
    assert refused.value.code == "SCOPE_NOT_ALLOWED"
    with transaction(session_factory) as session:
        create_token(session, ben, name="x", scopes=["admin"])


@pytest.mark.parametrize(
    ("name", "scopes", "days", "code"),
    [
        ("", ["read"], None, "TOKEN_NAME_REQUIRED"),
        ("x", [], None, "NO_SCOPE"),
        ("x", ["root"], None, "UNKNOWN_SCOPE"),
        ("x", ["read"], 0, "BAD_EXPIRY"),
    ],
)
def test_a_bad_request_says_why(
    session_factory: sessionmaker[Session],
    name: str,
    scopes: list[str],
    days: int | None,
    code: str,
) -> None:
    ana = account(session_factory, "ana@example.com")
    with transaction(session_factory) as session, pytest.raises(AccountError) as refused:
        create_token(session, ana, name=name, scopes=scopes, expires_in_days=days)
    assert refused.value.code == code


def test_only_the_owner_revokes_and_a_revoked_token_resolves_to_nobody(
    session_factory: sessionmaker[Session],
) -> None:
    ana = account(session_factory, "ana@example.com")
    ben = account(session_factory, "ben@example.com")
    with transaction(session_factory) as session:
        info, secret = create_token(session, ana, name="ci", scopes=["read"], expires_in_days=30)
    with transaction(session_factory) as session, pytest.raises(AccountError) as refused:
        revoke_token(session, ben, info.id)
    assert refused.value.code == "TOKEN_NOT_FOUND"
    with transaction(session_factory) as session:
        revoke_token(session, ana, info.id)
    with transaction(session_factory) as session:
        assert resolve_token(session, secret) is None
        assert [t.revoked for t in list_tokens(session, ana)] == [True]
        actions = list(session.scalars(select(AuditEvent.action)))
    assert {"token_created", "token_revoked"} <= set(actions)
