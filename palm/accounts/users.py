"""Accounts: sign-up, log-in, roles. Rejections raise AccountError after adding an audit event.

On rejection the only thing added to the session is that audit event, so the caller may commit
(the audit lands, nothing else does) and then show `error.message`.
"""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from zxcvbn import zxcvbn

from palm.errors import PalmError
from palm.infra import AuditAction, Outcome, record
from palm.models import User, utcnow
from palm.vocabulary import Role

MIN_PASSWORD_LENGTH = 10
MIN_PASSWORD_SCORE = 3  # zxcvbn: 3 = "safely unguessable", ~10^10 guesses
MAX_RATED_LENGTH = 100  # zxcvbn's work grows with length; the first 100 characters decide
HASHER = PasswordHasher()
AGENT_MARK = "agent="
ADDRESS_MARK = "address="


class AccountError(PalmError):
    """Why an account operation was refused."""


def duplicate_email() -> AccountError:
    return AccountError("DUPLICATE_EMAIL", "An account with this e-mail already exists.")


def normalise_email(email: str) -> str:
    """Case, surrounding spaces and the spelling of an international domain never make two
    accounts (a valid address in email-validator's normal form, lower-cased)."""
    cleaned = email.strip()
    try:
        return validate_email(cleaned, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return cleaned.lower()


def check_email(email: str) -> None:
    """Refuse anything but a real address by email-validator's rules (syntax only: there is
    no network to ask the domain). Markdown and HTML cannot pass for one: brackets,
    parentheses, angle brackets, spaces, quotes and bidirectional controls are refused."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(
            "INVALID_EMAIL", "Please enter a valid e-mail address, like ana@example.com."
        ) from None


def check_password(
    password: str, min_length: int = MIN_PASSWORD_LENGTH, *, email: str = ""
) -> None:
    """At least ``min_length`` characters, and not easy to guess: zxcvbn (Dropbox's strength
    estimator: dictionaries, common passwords, keyboard walks, repeats, the person's own
    e-mail) must rate it 3 of 4 or better."""
    if len(password) < min_length:
        raise AccountError(
            "WEAK_PASSWORD", f"Choose a password of at least {min_length} characters."
        )
    verdict = zxcvbn(password[:MAX_RATED_LENGTH], user_inputs=[email, *email.split("@")])
    if verdict["score"] < MIN_PASSWORD_SCORE:
        feedback = verdict["feedback"]
        hints = " ".join([feedback.get("warning") or "", *feedback.get("suggestions", [])])
        raise AccountError("WEAK_PASSWORD", f"This password is too easy to guess. {hints}".strip())


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def _reject(
    session: Session, action: AuditAction, email: str, error: AccountError, session_ref: str
) -> AccountError:
    record(
        session,
        actor=email or "anonymous",
        action=action,
        outcome=Outcome.REJECTED,
        target=email,
        session_ref=session_ref,
        detail=error.code,
    )
    return error


def _insert_user(session: Session, email: str, password: str, role: Role) -> User:
    """Insert inside a savepoint so a concurrent duplicate becomes DUPLICATE_EMAIL."""
    user = User(email=email, password_hash=HASHER.hash(password), role=role)
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        raise duplicate_email() from exc
    return user


@dataclass(frozen=True)
class _Creation:
    """How an account comes to be: self sign-up (first one is admin) or an admin's command."""

    action: AuditAction
    actor: str
    role: Role | None  # None: admin for the very first account, user after that
    session_ref: str = ""
    user_agent: str = ""  # sign-up signs in: its browser shows among the recent sign-ins


def _create_account(
    session: Session, email: str, password: str, how: _Creation, min_password_length: int
) -> User:
    email = normalise_email(email)
    try:
        check_email(email)
        check_password(password, min_password_length, email=email)
        if find_by_email(session, email) is not None:
            raise duplicate_email()
        role = how.role or (Role.ADMIN if count_users(session) == 0 else Role.USER)
        user = _insert_user(session, email, password, role)
    except AccountError as error:
        raise _reject(session, how.action, email, error, how.session_ref) from None
    record(
        session,
        actor=how.actor or email,
        action=how.action,
        outcome=Outcome.OK,
        target=email,
        session_ref=how.session_ref,
        detail=with_agent(f"role={role}", how.user_agent),
    )
    return user


def sign_up(
    session: Session,
    email: str,
    password: str,
    *,
    session_ref: str = "",
    min_password_length: int = MIN_PASSWORD_LENGTH,
    user_agent: str = "",
) -> User:
    """Create a user account; the very first account becomes the admin."""
    how = _Creation(
        AuditAction.SIGN_UP, actor="", role=None, session_ref=session_ref, user_agent=user_agent
    )
    return _create_account(session, email, password, how, min_password_length)


def create_user(
    session: Session,
    email: str,
    password: str,
    role: Role,
    *,
    actor: str = "cli",
    min_password_length: int = MIN_PASSWORD_LENGTH,
) -> User:
    """Create an account with a given role (the `create-user` command)."""
    how = _Creation(AuditAction.USER_CREATED, actor=actor, role=role)
    return _create_account(session, email, password, how, min_password_length)


@functools.cache
def _stand_in_hash() -> str:
    """The hash of a random password nobody knows, made with HASHER's own parameters."""
    return HASHER.hash(secrets.token_urlsafe(32))


def _password_matches(user: User | None, password: str) -> bool:
    """One argon2 verification whether or not the account exists: without an account the
    password is checked against a stand-in hash, so a refusal takes as long either way and
    its timing does not tell who has an account."""
    stored = user.password_hash if user is not None else _stand_in_hash()
    try:
        matches = HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
    return matches and user is not None


def with_agent(detail: str, user_agent: str) -> str:
    """An audit detail carrying the browser's user agent (read back by `agent_of`)."""
    agent = " ".join(user_agent.split())[:200]
    return "; ".join(part for part in (detail, f"{AGENT_MARK}{agent}" if agent else "") if part)


def agent_of(detail: str) -> str:
    return detail.partition(AGENT_MARK)[2]


def authenticate(
    session: Session,
    email: str,
    password: str,
    *,
    session_ref: str = "",
    user_agent: str = "",
    address: str = "",
) -> User:
    """Check credentials; unknown user and wrong password get the same message. The user
    agent goes into the audit event, for the person's list of recent sign-ins; a failure's
    event also names the client address (``address=``), for the admin's security view."""
    email = normalise_email(email)
    user = find_by_email(session, email)
    if not _password_matches(user, password) or user is None:
        reason = "unknown_user" if user is None else "wrong_password"
        if clean := "".join(address.split()).replace(";", "")[:64]:
            reason = f"{reason}; {ADDRESS_MARK}{clean}"
        record(
            session,
            actor=email or "anonymous",
            action=AuditAction.LOGIN_FAILED,
            outcome=Outcome.REJECTED,
            target=email,
            session_ref=session_ref,
            detail=with_agent(reason, user_agent),
        )
        raise AccountError("INVALID_CREDENTIALS", "Wrong e-mail or password.")
    if user.disabled_at is not None:
        # Only told after the right password: the refusal reveals nothing a wrong guess can.
        record(
            session,
            actor=email,
            action=AuditAction.LOGIN_FAILED,
            outcome=Outcome.REJECTED,
            target=email,
            session_ref=session_ref,
            detail=with_agent("ACCOUNT_DISABLED", user_agent),
        )
        raise AccountError(
            "ACCOUNT_DISABLED", "This account is disabled. Ask an admin to enable it again."
        )
    if HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = HASHER.hash(password)
    user.last_login_at = utcnow()
    record(
        session,
        actor=email,
        action=AuditAction.LOGIN,
        outcome=Outcome.OK,
        target=email,
        session_ref=session_ref,
        detail=with_agent("", user_agent),
    )
    return user


def record_logout(session: Session, user_id: int, *, session_ref: str = "") -> None:
    """Log-out is stateless on the server; it still leaves an audit trail."""
    user = session.get(User, user_id)
    email = user.email if user else f"user:{user_id}"
    record(
        session,
        actor=email,
        action=AuditAction.LOGOUT,
        outcome=Outcome.OK,
        target=email,
        session_ref=session_ref,
    )


def count_admins(session: Session) -> int:
    """Admins who can sign in (a disabled admin does not keep the system administered)."""
    query = (
        select(func.count())
        .select_from(User)
        .where(User.role == Role.ADMIN, User.disabled_at.is_(None))
    )
    return session.scalar(query) or 0


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.created_at, User.id)))


def assign_role(session: Session, user: User, role: Role, *, actor: str) -> User:
    """Set a role (audited); refuses to leave the system without an admin."""
    if user.role == Role.ADMIN and role != Role.ADMIN and count_admins(session) <= 1:
        record(
            session,
            actor=actor,
            action=AuditAction.ROLE_CHANGE,
            outcome=Outcome.REJECTED,
            target=user.email,
            detail="LAST_ADMIN",
        )
        raise AccountError("LAST_ADMIN", "Keep at least one admin: promote someone else first.")
    old_role, user.role = user.role, role
    record(
        session,
        actor=actor,
        action=AuditAction.ROLE_CHANGE,
        outcome=Outcome.OK,
        target=user.email,
        detail=f"{old_role}->{role}",
    )
    return user


def change_role(session: Session, *, actor_id: int, user_id: int, role: Role) -> User:
    """An admin changes someone's role from the admin page."""
    actor = session.get(User, actor_id)
    target = session.get(User, user_id)
    actor_email = actor.email if actor else f"user:{actor_id}"
    if actor is None or actor.role != Role.ADMIN or target is None:
        error = (
            AccountError("NOT_FOUND", "That account does not exist.")
            if target is None
            else AccountError("FORBIDDEN", "Only an admin can change roles.")
        )
        record(
            session,
            actor=actor_email,
            action=AuditAction.ROLE_CHANGE,
            outcome=Outcome.REJECTED,
            target=f"user:{user_id}",
            detail=error.code,
        )
        raise error
    return assign_role(session, target, role, actor=actor_email)
