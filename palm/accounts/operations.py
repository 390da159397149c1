"""Account operations that own their transaction because they also end sessions in Redis.

A password change revokes every other session, and an admin disabling an account every one of
it, before the transaction commits: if Redis does not answer, the change rolls back
(SessionStoreUnavailableError) and nothing is half done. A refusal's audit event still commits.
"""

from __future__ import annotations

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import profile, sessions
from palm.accounts.disabling import set_disabled
from palm.accounts.users import MIN_PASSWORD_LENGTH, AccountError
from palm.db import transaction
from palm.infra import AuditAction, Outcome, record
from palm.models import User


def change_password(
    factory: sessionmaker[Session],
    redis: Redis | None,
    *,
    user_id: int,
    old_password: str,
    new_password: str,
    keep_session: str,
    session_ref: str = "",
    min_length: int = MIN_PASSWORD_LENGTH,
) -> int:
    """Change the password and end every session but ``keep_session`` (this browser's);
    returns how many sessions ended."""
    refused: AccountError | None = None
    ended = 0
    with transaction(factory) as session:
        try:
            profile.change_password(
                session,
                user_id,
                old_password,
                new_password,
                session_ref=session_ref,
                min_length=min_length,
            )
        except AccountError as error:
            refused = error  # its audit event commits with the transaction
        else:
            if redis is not None:
                ended = sessions.revoke_all(redis, user_id, keep=keep_session)
    if refused is not None:
        raise refused
    return ended


def _audit_revocation(
    factory: sessionmaker[Session], user_id: int, detail: str, session_ref: str
) -> None:
    with transaction(factory) as session:
        user = session.get(User, user_id)
        email = user.email if user else f"user:{user_id}"
        record(
            session,
            actor=email,
            action=AuditAction.SESSIONS_REVOKED,
            outcome=Outcome.OK,
            target=email,
            session_ref=session_ref,
            detail=detail,
        )


def sign_out_everywhere(
    factory: sessionmaker[Session], redis: Redis, *, user_id: int, session_ref: str = ""
) -> int:
    """End every session of the person, this browser's too; returns how many ended."""
    ended = sessions.revoke_all(redis, user_id)
    _audit_revocation(factory, user_id, f"all={ended}", session_ref)
    return ended


def revoke_other_session(
    factory: sessionmaker[Session],
    redis: Redis,
    *,
    user_id: int,
    session_id: str,
    session_ref: str = "",
) -> bool:
    """End one of the person's sessions (another browser or device)."""
    ended = sessions.revoke_by_id(redis, user_id, session_id)
    if ended:
        _audit_revocation(factory, user_id, f"one={session_id[:12]}", session_ref)
    return ended


def set_account_disabled(
    factory: sessionmaker[Session],
    redis: Redis | None,
    *,
    actor_id: int,
    user_id: int,
    disable: bool,
    session_ref: str = "",
) -> tuple[str, int]:
    """An admin disables or enables an account; disabling ends every session of it before the
    change commits (so every tab of that person is signed out on its next action, and a Redis
    outage leaves the account as it was). Returns the account's e-mail and sessions ended."""
    refused: AccountError | None = None
    ended, email = 0, ""
    with transaction(factory) as session:
        try:
            user = set_disabled(
                session,
                actor_id=actor_id,
                user_id=user_id,
                disable=disable,
                session_ref=session_ref,
            )
        except AccountError as error:
            refused = error  # its audit event commits with the transaction
        else:
            email = user.email
            if disable and redis is not None:
                ended = sessions.revoke_all(redis, user_id)
    if refused is not None:
        raise refused
    return email, ended
