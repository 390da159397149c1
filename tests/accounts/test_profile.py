"""A person's own account: name and dominant hand, e-mail change, password change, recent
sign-ins — refusals coded, audited and leaving nothing changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.accounts import AccountError, profile, users
from palm.models import AuditEvent, User

PASSWORD = "correct horse battery"
NEW_PASSWORD = "violet kettle orbit 42"


@pytest.fixture
def ana(session: Session) -> User:
    return users.sign_up(session, "ana@example.com", PASSWORD)


def last_audit(session: Session) -> tuple[str, str, str]:
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    return event.action, event.outcome, event.detail


def test_a_new_profile_has_no_name_or_hand_and_is_greeted_by_address(
    session: Session, ana: User
) -> None:
    seen = profile.get_profile(session, ana.id)
    assert (seen.display_name, seen.dominant_hand) == ("", None)
    assert seen.greeting_name == "ana"


def test_name_and_dominant_hand_are_saved_with_spaces_collapsed(
    session: Session, ana: User
) -> None:
    saved = profile.update_profile(session, ana.id, display_name="  Ana   López ", hand="left")
    assert (saved.display_name, saved.dominant_hand) == ("Ana López", "left")
    assert profile.dominant_hand(session, ana.id) == "left"
    assert last_audit(session)[:2] == ("profile_updated", "ok")


@pytest.mark.parametrize("name", ["x" * 61, "Ana\u202egnp.exe", "tab\x07bell"])
def test_overlong_names_and_invisible_controls_are_refused(
    session: Session, ana: User, name: str
) -> None:
    with pytest.raises(AccountError) as refused:
        profile.update_profile(session, ana.id, display_name=name, hand=None)
    assert refused.value.code == "INVALID_DISPLAY_NAME"
    assert profile.get_profile(session, ana.id).display_name == ""


def test_the_email_changes_with_the_password_and_signs_in_under_the_new_one(
    session: Session, ana: User
) -> None:
    profile.change_email(session, ana.id, " Ana.New@Example.com", PASSWORD)
    assert ana.email == "ana.new@example.com"
    assert last_audit(session) == ("email_changed", "ok", "from=ana@example.com")
    assert users.authenticate(session, "ana.new@example.com", PASSWORD).id == ana.id
    with pytest.raises(AccountError):
        users.authenticate(session, "ana@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("email", "password", "code"),
    [
        ("ana.new@example.com", "not my password", "WRONG_PASSWORD"),
        ("ben@example.com", PASSWORD, "DUPLICATE_EMAIL"),
        ("not an address", PASSWORD, "INVALID_EMAIL"),
        ("ANA@example.com", PASSWORD, "SAME_EMAIL"),
    ],
)
def test_a_refused_email_change_says_why_and_changes_nothing(
    session: Session, ana: User, email: str, password: str, code: str
) -> None:
    users.sign_up(session, "ben@example.com", PASSWORD)
    with pytest.raises(AccountError) as refused:
        profile.change_email(session, ana.id, email, password)
    assert refused.value.code == code
    session.flush()
    assert session.get_one(User, ana.id).email == "ana@example.com"
    assert last_audit(session) == ("email_changed", "rejected", code)


def test_the_password_changes_after_the_old_one(session: Session, ana: User) -> None:
    profile.change_password(session, ana.id, PASSWORD, NEW_PASSWORD)
    assert users.authenticate(session, "ana@example.com", NEW_PASSWORD).id == ana.id
    with pytest.raises(AccountError):
        users.authenticate(session, "ana@example.com", PASSWORD)


@pytest.mark.parametrize(
    ("old", "new", "code"),
    [
        ("wrong old password", NEW_PASSWORD, "WRONG_PASSWORD"),
        (PASSWORD, "short", "WEAK_PASSWORD"),
        (PASSWORD, "password123456", "WEAK_PASSWORD"),
        (PASSWORD, PASSWORD, "SAME_PASSWORD"),
    ],
)
def test_a_refused_password_change_keeps_the_old_password(
    session: Session, ana: User, old: str, new: str, code: str
) -> None:
    before = ana.password_hash
    with pytest.raises(AccountError) as refused:
        profile.change_password(session, ana.id, old, new)
    assert refused.value.code == code
    assert session.get_one(User, ana.id).password_hash == before
    assert last_audit(session) == ("password_changed", "rejected", code)


def test_recent_sign_ins_show_outcome_and_browser_across_an_email_change(
    session: Session, ana: User
) -> None:
    users.authenticate(session, "ana@example.com", PASSWORD, user_agent="Firefox/130")
    with pytest.raises(AccountError):
        users.authenticate(session, "ana@example.com", "nope", user_agent="Evil\nBot")
    profile.change_email(session, ana.id, "ana.new@example.com", PASSWORD)
    users.authenticate(session, "ana.new@example.com", PASSWORD)
    users.sign_up(session, "ben@example.com", PASSWORD)
    users.authenticate(session, "ben@example.com", PASSWORD, user_agent="Ben's browser")
    entries = profile.recent_sign_ins(session, ana.id)
    assert [(entry.succeeded, entry.user_agent) for entry in entries] == [
        (True, ""),
        (False, "Evil Bot"),
        (True, "Firefox/130"),
        (True, ""),  # signing up signed her in
    ]


def test_signing_up_records_the_browser_among_the_recent_sign_ins(session: Session) -> None:
    ben = users.sign_up(session, "ben@example.com", PASSWORD, user_agent="Phone\tBrowser/9")
    assert [(e.succeeded, e.user_agent) for e in profile.recent_sign_ins(session, ben.id)] == [
        (True, "Phone Browser/9")
    ]
