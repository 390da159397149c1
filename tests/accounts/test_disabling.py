"""An admin disabling an account: its sessions end at once, it cannot sign in (told only after
the right password), enabling lets it back in; never oneself, never the last admin; audited."""

from __future__ import annotations

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import (
    AccountError,
    SessionStoreUnavailableError,
    count_admins,
    open_session,
    resolve_session,
    set_account_disabled,
    users,
)
from palm.db import transaction
from palm.infra import connect
from palm.models import AuditEvent, User
from palm.vocabulary import Role

PASSWORD = "correct horse battery"
IDLE = 3600


def make(factory: sessionmaker[Session], email: str, role: Role) -> int:
    with transaction(factory) as session:
        return users.create_user(session, email, PASSWORD, role).id


@pytest.fixture
def admin(session_factory: sessionmaker[Session]) -> int:
    return make(session_factory, "root@example.com", Role.ADMIN)


@pytest.fixture
def ana(session_factory: sessionmaker[Session]) -> int:
    return make(session_factory, "ana@example.com", Role.USER)


def sign_in_code(factory: sessionmaker[Session], password: str) -> str:
    with transaction(factory) as session:
        try:
            users.authenticate(session, "ana@example.com", password)
        except AccountError as error:
            return error.code
    return "OK"


def audit(factory: sessionmaker[Session], *actions: str) -> list[tuple[str, str, str]]:
    with transaction(factory) as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        )
        return [(row.action, row.outcome, row.detail) for row in rows]


def test_disabling_ends_every_session_and_refuses_sign_in_until_enabled(
    session_factory: sessionmaker[Session], redis_client: Redis, admin: int, ana: int
) -> None:
    tokens = [open_session(redis_client, ana, "", idle_seconds=IDLE) for _ in range(2)]
    mine = open_session(redis_client, admin, "", idle_seconds=IDLE)
    email, ended = set_account_disabled(
        session_factory, redis_client, actor_id=admin, user_id=ana, disable=True
    )
    assert (email, ended) == ("ana@example.com", 2)
    assert all(resolve_session(redis_client, t, idle_seconds=IDLE) is None for t in tokens)
    assert resolve_session(redis_client, mine, idle_seconds=IDLE) is not None
    assert sign_in_code(session_factory, PASSWORD) == "ACCOUNT_DISABLED"
    assert sign_in_code(session_factory, "wrong password") == "INVALID_CREDENTIALS"  # no leak
    set_account_disabled(session_factory, redis_client, actor_id=admin, user_id=ana, disable=False)
    assert sign_in_code(session_factory, PASSWORD) == "OK"
    assert audit(session_factory, "account_disabled", "account_enabled") == [
        ("account_disabled", "ok", ""),
        ("account_enabled", "ok", ""),
    ]
    assert ("login_failed", "rejected", "ACCOUNT_DISABLED") in audit(
        session_factory, "login_failed"
    )


def test_an_admin_cannot_disable_themselves_or_the_last_admin(
    session_factory: sessionmaker[Session], redis_client: Redis, admin: int
) -> None:
    other = make(session_factory, "deputy@example.com", Role.ADMIN)
    with pytest.raises(AccountError) as refused:
        set_account_disabled(
            session_factory, redis_client, actor_id=admin, user_id=admin, disable=True
        )
    assert refused.value.code == "SELF_DISABLE"
    set_account_disabled(session_factory, redis_client, actor_id=admin, user_id=other, disable=True)
    with transaction(session_factory) as session:
        assert count_admins(session) == 1  # a disabled admin does not count
        me = session.get(User, admin)
        assert me is not None
        with pytest.raises(AccountError) as demoted:
            users.assign_role(session, me, Role.USER, actor="cli")
        assert demoted.value.code == "LAST_ADMIN"
    with pytest.raises(AccountError) as forbidden:
        set_account_disabled(
            session_factory, redis_client, actor_id=other, user_id=admin, disable=True
        )
    assert forbidden.value.code == "FORBIDDEN"  # a disabled admin acts no more
    assert [outcome for _, outcome, _ in audit(session_factory, "account_disabled")] == [
        "rejected",
        "ok",
        "rejected",
    ]


def test_someone_other_than_an_admin_cannot_disable_anyone(
    session_factory: sessionmaker[Session], redis_client: Redis, admin: int, ana: int
) -> None:
    with pytest.raises(AccountError) as refused:
        set_account_disabled(
            session_factory, redis_client, actor_id=ana, user_id=admin, disable=True
        )
    assert refused.value.code == "FORBIDDEN"
    assert sign_in_code(session_factory, PASSWORD) == "OK"


def test_redis_down_leaves_the_account_enabled(
    session_factory: sessionmaker[Session], admin: int, ana: int
) -> None:
    dead = connect("redis://127.0.0.1:1/0", timeout=0.3)
    with pytest.raises(SessionStoreUnavailableError):
        set_account_disabled(session_factory, dead, actor_id=admin, user_id=ana, disable=True)
    assert sign_in_code(session_factory, PASSWORD) == "OK"
