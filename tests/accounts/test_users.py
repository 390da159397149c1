"""Accounts: sign-up, log-in and roles against a real database."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.accounts import users
from palm.infra.audit import AuditAction, Outcome
from palm.models import AuditEvent, User
from palm.vocabulary import Role

GOOD_PASSWORD = "correct horse battery"


def audit_actions(session: Session) -> list[tuple[str, str, str]]:
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(event.action, event.outcome, event.detail) for event in rows]


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def test_first_account_becomes_admin_and_later_ones_users(session: Session) -> None:
    first = users.sign_up(session, "Ana@Example.com ", GOOD_PASSWORD)
    second = users.sign_up(session, "ben@example.com", GOOD_PASSWORD)
    assert (first.email, first.role) == ("ana@example.com", Role.ADMIN)
    assert second.role == Role.USER
    assert first.password_hash.startswith("$argon2id$")
    assert GOOD_PASSWORD not in first.password_hash


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("not-an-email", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("a@b", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("[verify](http://127.0.0.1:9/phish)@evil.co", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("<img/src=x/onerror=alert(7)>@evil.co", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("ana@exa mple.com", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("ana\u202e@example.com", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("ana@example.com\n![x](http://127.0.0.1:9/exfil)", GOOD_PASSWORD, "INVALID_EMAIL"),
        ("ana@example.com", "short", "WEAK_PASSWORD"),
        ("ana@example.com", "123456789", "WEAK_PASSWORD"),
    ],
)
def test_bad_sign_up_creates_nothing_but_an_audit_event(
    session: Session, email: str, password: str, code: str
) -> None:
    with pytest.raises(users.AccountError) as raised:
        users.sign_up(session, email, password)
    assert raised.value.code == code
    assert raised.value.message
    session.commit()
    assert user_count(session) == 0
    assert audit_actions(session) == [(AuditAction.SIGN_UP, Outcome.REJECTED, code)]


def test_duplicate_sign_up_is_refused_whatever_the_case(session: Session) -> None:
    users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    with pytest.raises(users.AccountError) as raised:
        users.sign_up(session, "ANA@example.com", "another long password")
    assert raised.value.code == "DUPLICATE_EMAIL"
    session.commit()
    assert user_count(session) == 1


@pytest.mark.parametrize(
    "email", ["[verify](http://x/phish)@evil.co", "<img/src=x/onerror=alert(7)>@evil.co"]
)
def test_an_admin_cannot_create_an_account_with_markup_for_an_address(
    session: Session, email: str
) -> None:
    with pytest.raises(users.AccountError) as raised:
        users.create_user(session, email, GOOD_PASSWORD, Role.USER, actor="admin")
    assert raised.value.code == "INVALID_EMAIL"
    assert user_count(session) == 0


def test_an_international_address_is_one_account_however_it_is_typed(session: Session) -> None:
    user = users.sign_up(session, "Zoë@Exämple.com", GOOD_PASSWORD)
    assert user.email == "zoë@exämple.com"
    assert users.find_by_email(session, " ZOË@EXÄMPLE.COM ") is not None


def test_login_with_right_password_updates_last_login(session: Session) -> None:
    users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    user = users.authenticate(session, "ana@example.com", GOOD_PASSWORD, session_ref="s1")
    assert user.last_login_at is not None
    assert audit_actions(session)[-1] == (AuditAction.LOGIN, Outcome.OK, "")


@pytest.mark.parametrize(
    ("email", "password", "reason"),
    [
        ("ana@example.com", "wrong password!", "wrong_password"),
        ("nobody@example.com", GOOD_PASSWORD, "unknown_user"),
    ],
)
def test_failed_login_says_the_same_thing_and_is_audited(
    session: Session, email: str, password: str, reason: str
) -> None:
    users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    with pytest.raises(users.AccountError) as raised:
        users.authenticate(session, email, password)
    assert raised.value.code == "INVALID_CREDENTIALS"
    assert raised.value.message == "Wrong e-mail or password."
    assert audit_actions(session)[-1] == (AuditAction.LOGIN_FAILED, Outcome.REJECTED, reason)


def test_admin_changes_a_role_and_it_is_audited(session: Session) -> None:
    admin = users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    ben = users.sign_up(session, "ben@example.com", GOOD_PASSWORD)
    users.change_role(session, actor_id=admin.id, user_id=ben.id, role=Role.ANALYST)
    assert ben.role == Role.ANALYST
    assert audit_actions(session)[-1] == (AuditAction.ROLE_CHANGE, Outcome.OK, "user->analyst")


def test_a_plain_user_cannot_change_roles(session: Session) -> None:
    admin = users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    ben = users.sign_up(session, "ben@example.com", GOOD_PASSWORD)
    with pytest.raises(users.AccountError) as raised:
        users.change_role(session, actor_id=ben.id, user_id=ben.id, role=Role.ADMIN)
    assert raised.value.code == "FORBIDDEN"
    assert (ben.role, admin.role) == (Role.USER, Role.ADMIN)


def test_the_last_admin_cannot_be_demoted(session: Session) -> None:
    admin = users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    with pytest.raises(users.AccountError) as raised:
        users.change_role(session, actor_id=admin.id, user_id=admin.id, role=Role.USER)
    assert raised.value.code == "LAST_ADMIN"
    assert admin.role == Role.ADMIN


def test_create_user_sets_the_given_role(session: Session) -> None:
    user = users.create_user(session, "ops@example.com", GOOD_PASSWORD, Role.ANALYST)
    assert user.role == Role.ANALYST
    assert audit_actions(session)[-1] == (AuditAction.USER_CREATED, Outcome.OK, "role=analyst")


def test_logout_leaves_an_audit_event(session: Session) -> None:
    user = users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    users.record_logout(session, user.id, session_ref="abc")
    assert audit_actions(session)[-1] == (AuditAction.LOGOUT, Outcome.OK, "")


class CountingHasher:
    """The real hasher, recording every hash it verifies against."""

    def __init__(self, real: PasswordHasher) -> None:
        self.real = real
        self.verified: list[str] = []

    def verify(self, stored: str, password: str) -> bool:
        self.verified.append(stored)
        return bool(self.real.verify(stored, password))

    def __getattr__(self, name: str) -> object:
        return getattr(self.real, name)


def test_an_unknown_address_costs_the_same_argon2_work_as_a_wrong_password(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = users.sign_up(session, "ana@example.com", GOOD_PASSWORD)
    counting = CountingHasher(users.HASHER)
    monkeypatch.setattr(users, "HASHER", counting)
    paths = {}
    for email in ("ana@example.com", "nobody@example.com"):
        counting.verified.clear()
        with pytest.raises(users.AccountError):
            users.authenticate(session, email, "not the password")
        paths[email] = list(counting.verified)
    known, unknown = paths["ana@example.com"], paths["nobody@example.com"]
    assert len(known) == len(unknown) == 1  # one argon2 verification on either path
    assert known == [ana.password_hash]
    assert extract_parameters(unknown[0]) == extract_parameters(ana.password_hash)


def test_the_stand_in_hash_never_lets_anyone_in(session: Session) -> None:
    with pytest.raises(users.AccountError) as raised:
        users.authenticate(session, "nobody@example.com", "")
    assert raised.value.code == "INVALID_CREDENTIALS"
