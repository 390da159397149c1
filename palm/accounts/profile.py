"""A person's own account: display name, dominant hand, e-mail and password, recent sign-ins.

Functions take a Session and never commit. A refusal raises AccountError after adding its
audit event and nothing else, so the caller may commit (the audit lands) and show the message.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from palm.accounts.preferences import get_preference, set_preference
from palm.accounts.users import (
    HASHER,
    MIN_PASSWORD_LENGTH,
    AccountError,
    _password_matches,
    agent_of,
    check_email,
    check_password,
    duplicate_email,
    find_by_email,
    normalise_email,
)
from palm.infra import AuditAction, Outcome, record
from palm.models import AuditEvent, User
from palm.vocabulary import HANDS, Hand

DISPLAY_NAME = "display_name"
DOMINANT_HAND = "dominant_hand"
MAX_DISPLAY_NAME = 60
SIGN_IN_ACTIONS = (AuditAction.LOGIN, AuditAction.LOGIN_FAILED, AuditAction.SIGN_UP)


@dataclass(frozen=True)
class Profile:
    user_id: int
    email: str
    display_name: str
    dominant_hand: Hand | None
    created_at: datetime
    last_login_at: datetime | None

    @property
    def greeting_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


@dataclass(frozen=True)
class SignInEntry:
    ts: datetime
    succeeded: bool
    user_agent: str


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise AccountError("NOT_FOUND", "That account does not exist.")
    return user


def dominant_hand(session: Session, user_id: int) -> Hand | None:
    saved = get_preference(session, user_id, DOMINANT_HAND)
    return next((hand for hand in HANDS if hand == saved), None)


def get_profile(session: Session, user_id: int) -> Profile:
    user = _user(session, user_id)
    name = get_preference(session, user_id, DISPLAY_NAME, "")
    return Profile(
        user_id=user.id,
        email=user.email,
        display_name=name if isinstance(name, str) else "",
        dominant_hand=dominant_hand(session, user_id),
        created_at=user.created_at,
        last_login_at=user.last_login_at,
    )


def clean_display_name(name: str) -> str:
    """Spaces collapsed, at most MAX_DISPLAY_NAME characters, no control or format
    characters (bidirectional overrides, zero-width joiners): refused, not silently cut."""
    cleaned = " ".join(name.split())
    if len(cleaned) > MAX_DISPLAY_NAME:
        raise AccountError(
            "INVALID_DISPLAY_NAME", f"Keep the name to {MAX_DISPLAY_NAME} characters or fewer."
        )
    if any(unicodedata.category(char) in ("Cc", "Cf") for char in cleaned):
        raise AccountError("INVALID_DISPLAY_NAME", "The name holds invisible control characters.")
    return cleaned


def update_profile(
    session: Session, user_id: int, *, display_name: str, hand: Hand | None
) -> Profile:
    """Set the display name and the dominant hand (None: not said)."""
    user = _user(session, user_id)
    name = clean_display_name(display_name)
    if hand is not None and hand not in HANDS:
        raise AccountError("INVALID_HAND", "Choose left or right.")
    set_preference(session, user_id, DISPLAY_NAME, name)
    set_preference(session, user_id, DOMINANT_HAND, hand)
    record(
        session,
        actor=user.email,
        action=AuditAction.PROFILE_UPDATED,
        outcome=Outcome.OK,
        target=user.email,
    )
    return get_profile(session, user_id)


def _refuse(
    session: Session, user: User, action: AuditAction, error: AccountError, session_ref: str
) -> AccountError:
    record(
        session,
        actor=user.email,
        action=action,
        outcome=Outcome.REJECTED,
        target=user.email,
        session_ref=session_ref,
        detail=error.code,
    )
    return error


def wrong_password() -> AccountError:
    return AccountError("WRONG_PASSWORD", "That is not your current password.")


def change_email(
    session: Session, user_id: int, new_email: str, password: str, *, session_ref: str = ""
) -> User:
    """Move the account to another address, confirmed with the current password."""
    user = _user(session, user_id)
    old, email = user.email, normalise_email(new_email)
    try:
        if not _password_matches(user, password):
            raise wrong_password()
        check_email(email)
        if email == old:
            raise AccountError("SAME_EMAIL", "That is already your e-mail address.")
        if find_by_email(session, email) is not None:
            raise duplicate_email()
        try:
            with session.begin_nested():
                user.email = email
        except IntegrityError as exc:  # someone took it between the check and the write
            raise duplicate_email() from exc
    except AccountError as error:
        session.refresh(user)
        raise _refuse(session, user, AuditAction.EMAIL_CHANGED, error, session_ref) from None
    record(
        session,
        actor=email,
        action=AuditAction.EMAIL_CHANGED,
        outcome=Outcome.OK,
        target=email,
        session_ref=session_ref,
        detail=f"from={old}",
    )
    return user


def change_password(
    session: Session,
    user_id: int,
    old_password: str,
    new_password: str,
    *,
    session_ref: str = "",
    min_length: int = MIN_PASSWORD_LENGTH,
) -> User:
    """A new password after the current one, by the sign-up strength rule."""
    user = _user(session, user_id)
    try:
        if not _password_matches(user, old_password):
            raise wrong_password()
        check_password(new_password, min_length, email=user.email)
        if new_password == old_password:
            raise AccountError("SAME_PASSWORD", "Choose a password you have not used here.")
    except AccountError as error:
        raise _refuse(session, user, AuditAction.PASSWORD_CHANGED, error, session_ref) from None
    user.password_hash = HASHER.hash(new_password)
    record(
        session,
        actor=user.email,
        action=AuditAction.PASSWORD_CHANGED,
        outcome=Outcome.OK,
        target=user.email,
        session_ref=session_ref,
    )
    return user


def password_matches(session: Session, user_id: int, password: str) -> bool:
    """Whether ``password`` is the account's (one argon2 verification)."""
    return _password_matches(session.get(User, user_id), password)


def addresses_of(session: Session, user_id: int) -> set[str]:
    """Every e-mail address the account has had, as the audit log's moves tell."""
    user = _user(session, user_id)
    found, frontier = {user.email}, [user.email]
    while frontier:
        moves = select(AuditEvent.detail).where(
            AuditEvent.action == AuditAction.EMAIL_CHANGED,
            AuditEvent.outcome == Outcome.OK,
            AuditEvent.target.in_(frontier),
        )
        older = {detail.removeprefix("from=") for detail in session.scalars(moves)} - found
        found |= older
        frontier = list(older)
    return found


def recent_sign_ins(session: Session, user_id: int, *, limit: int = 10) -> list[SignInEntry]:
    """The account's latest sign-ins and failed attempts (its current and former addresses
    as the audit log names them; signing up signed it in too), newest first."""
    addresses = addresses_of(session, user_id)
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.action.in_([action.value for action in SIGN_IN_ACTIONS]),
            ~((AuditEvent.action == AuditAction.SIGN_UP) & (AuditEvent.outcome != Outcome.OK)),
            or_(*(AuditEvent.target == address for address in addresses)),
        )
        .order_by(AuditEvent.ts.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return [
        SignInEntry(
            ts=event.ts,
            succeeded=event.action != AuditAction.LOGIN_FAILED,
            user_agent=agent_of(event.detail),
        )
        for event in session.scalars(query)
    ]
