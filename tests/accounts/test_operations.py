"""Account operations that also end sessions: a password change signs out every other
browser, "sign out everywhere" every one, and a Redis outage leaves the password as it was."""

from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import (
    AccountError,
    SessionStoreUnavailableError,
    change_password,
    list_sessions,
    open_session,
    resolve_session,
    revoke_other_session,
    sign_out_everywhere,
    token_hash,
    users,
)
from palm.db import transaction
from palm.infra import connect
from palm.models import AuditEvent

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet kettle orbit 42"
IDLE = 3600


@pytest.fixture
def ana(session_factory: sessionmaker[Session]) -> int:
    with transaction(session_factory) as session:
        return users.sign_up(session, "ana@example.com", PASSWORD).id


def signs_in(factory: sessionmaker[Session], password: str) -> bool:
    with transaction(factory) as session:
        try:
            users.authenticate(session, "ana@example.com", password)
        except AccountError:
            return False
    return True


def actions(factory: sessionmaker[Session]) -> list[tuple[str, str]]:
    with transaction(factory) as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(row.action, row.outcome) for row in rows]


def test_a_password_change_signs_out_every_other_browser(
    session_factory: sessionmaker[Session], redis_client: Redis, ana: int
) -> None:
    here, *others = (open_session(redis_client, ana, "", idle_seconds=IDLE) for _ in range(3))
    ended = change_password(
        session_factory,
        redis_client,
        user_id=ana,
        old_password=PASSWORD,
        new_password=NEW_PASSWORD,
        keep_session=token_hash(here),
    )
    assert ended == 2
    assert resolve_session(redis_client, here, idle_seconds=IDLE) is not None
    assert all(resolve_session(redis_client, t, idle_seconds=IDLE) is None for t in others)
    assert signs_in(session_factory, NEW_PASSWORD)


def test_a_refused_password_change_ends_no_session_and_its_audit_lands(
    session_factory: sessionmaker[Session], redis_client: Redis, ana: int
) -> None:
    other = open_session(redis_client, ana, "", idle_seconds=IDLE)
    with pytest.raises(AccountError) as refused:
        change_password(
            session_factory,
            redis_client,
            user_id=ana,
            old_password="not it",
            new_password=NEW_PASSWORD,
            keep_session="",
        )
    assert refused.value.code == "WRONG_PASSWORD"
    assert resolve_session(redis_client, other, idle_seconds=IDLE) is not None
    assert actions(session_factory)[-1] == ("password_changed", "rejected")


def test_without_redis_the_password_change_rolls_back(
    session_factory: sessionmaker[Session], ana: int
) -> None:
    dead = connect("redis://127.0.0.1:1/0", timeout=0.3)
    with pytest.raises(SessionStoreUnavailableError):
        change_password(
            session_factory,
            dead,
            user_id=ana,
            old_password=PASSWORD,
            new_password=NEW_PASSWORD,
            keep_session="",
        )
    assert signs_in(session_factory, PASSWORD)
    assert not signs_in(session_factory, NEW_PASSWORD)


def test_signing_out_everywhere_ends_every_session_and_is_audited(
    session_factory: sessionmaker[Session], redis_client: Redis, ana: int
) -> None:
    for _ in range(2):
        open_session(redis_client, ana, "", idle_seconds=IDLE)
    assert sign_out_everywhere(session_factory, redis_client, user_id=ana) == 2
    assert list_sessions(redis_client, ana) == []
    assert actions(session_factory)[-1] == ("sessions_revoked", "ok")


def test_one_other_session_is_revoked_and_a_strangers_id_does_nothing(
    session_factory: sessionmaker[Session], redis_client: Redis, ana: int
) -> None:
    token = open_session(redis_client, ana, "", idle_seconds=IDLE)
    assert not revoke_other_session(session_factory, redis_client, user_id=ana, session_id="f" * 64)
    assert revoke_other_session(
        session_factory, redis_client, user_id=ana, session_id=token_hash(token)
    )
    assert resolve_session(redis_client, token, idle_seconds=IDLE) is None
