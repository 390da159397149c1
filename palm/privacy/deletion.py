"""Deleting an account: every row of the person in one transaction (their readings' trend
rollup contributions subtracted first), the audit log's mentions of them replaced by a
pseudonym, their sessions ended before the commit (so a Redis outage changes nothing); then
their files, queued jobs and every other Redis key of theirs (palm.privacy.redis_keys).

Rows follow the user by foreign keys (ON DELETE CASCADE: preferences, images, readings and
what hangs off them, conversations and messages, shares given and received); jobs are
deleted here, LLM usage rows lose their user (SET NULL: the spend stays, nobody's), and so
do their monthly totals (they join user 0's).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from palm import accounts
from palm.accounts import AccountError
from palm.db import transaction
from palm.explore import pseudonym
from palm.infra import AuditAction, BlobStore, Outcome, record
from palm.jobs import Queues, discard_jobs
from palm.models import AuditEvent, ReadingShare, User, forget_user_usage
from palm.privacy.redis_keys import erase_redis
from palm.readings import Removal, remove_all_readings
from palm.vocabulary import Role

log = logging.getLogger(__name__)

CONFIRMATION_PHRASE = "delete my account"
ERASED_PREFIX = "erased-"


def erased_name(user_id: int, secret: bytes) -> str:
    """What the audit log calls a deleted person: stable, not reversible without the
    deployment's secret (``erased-u-…``)."""
    return ERASED_PREFIX + pseudonym(user_id, secret)


@dataclass(frozen=True)
class _Erased:
    pseudonym: str
    emails: set[str]
    removal: Removal
    recipients: list[int]


def _pseudonymise_audit(session: Session, names: set[str], replacement: str) -> None:
    """The audit log keeps what happened, not who: every mention becomes the pseudonym (the
    append-only triggers allow exactly this change, palm migration 0009)."""
    quiet = {"synchronize_session": False}
    for name in names:
        for column in (AuditEvent.actor, AuditEvent.target):
            session.execute(
                update(AuditEvent).where(column == name).values({column: replacement}),
                execution_options=quiet,
            )
        session.execute(
            update(AuditEvent)
            .where(AuditEvent.detail.contains(name))
            .values(detail=func.replace(AuditEvent.detail, name, replacement)),
            execution_options=quiet,
        )


def _refuse(session: Session, user: User, code: str, message: str, session_ref: str) -> None:
    record(
        session,
        actor=user.email,
        action=AuditAction.ACCOUNT_DELETED,
        outcome=Outcome.REJECTED,
        target=user.email,
        session_ref=session_ref,
        detail=code,
    )
    raise AccountError(code, message)


def _erase_rows(session: Session, user: User, secret: bytes, session_ref: str) -> _Erased:
    name = erased_name(user.id, secret)
    emails = accounts.addresses_of(session, user.id)
    shared = select(ReadingShare.recipient_id).where(ReadingShare.owner_id == user.id)
    recipients = sorted(set(session.scalars(shared)))
    removal = remove_all_readings(session, user.id)
    with_shares = or_(ReadingShare.owner_id == user.id, ReadingShare.recipient_id == user.id)
    session.execute(delete(ReadingShare).where(with_shares))
    forget_user_usage(session, user.id)
    session.delete(user)
    session.flush()
    _pseudonymise_audit(session, {*emails, f"user:{user.id}"}, name)
    record(
        session,
        actor=name,
        action=AuditAction.ACCOUNT_DELETED,
        outcome=Outcome.OK,
        target=name,
        session_ref=session_ref,
        detail=f"readings={removal.readings}",
    )
    return _Erased(name, emails, removal, recipients)


def delete_account(
    factory: sessionmaker[Session],
    redis: Redis | None,
    queues: Queues | None,
    blobs: BlobStore,
    *,
    user_id: int,
    password: str,
    confirmation: str,
    secret: bytes,
    session_ref: str = "",
) -> str:
    """Delete the account after its password and the typed phrase; returns the pseudonym
    the audit log now uses. A refusal (AccountError) changes nothing but its audit event."""
    refused: AccountError | None = None
    with transaction(factory) as session:
        user = session.get(User, user_id)
        if user is None:
            raise AccountError("NOT_FOUND", "That account does not exist.")
        try:
            if confirmation.strip().lower() != CONFIRMATION_PHRASE:
                _refuse(
                    session,
                    user,
                    "CONFIRMATION_MISMATCH",
                    f"Type “{CONFIRMATION_PHRASE}” to confirm.",
                    session_ref,
                )
            if not accounts.password_matches(session, user_id, password):
                _refuse(session, user, "WRONG_PASSWORD", "That is not your password.", session_ref)
            if user.role == Role.ADMIN and accounts.count_admins(session) <= 1:
                message = "You are the only admin: make someone else admin first."
                _refuse(session, user, "LAST_ADMIN", message, session_ref)
        except AccountError as error:
            refused = error  # its audit event commits
        else:
            erased = _erase_rows(session, user, secret, session_ref)
            if redis is not None:  # signed out everywhere before anything is gone for good
                accounts.revoke_all(redis, user_id)
    if refused is not None:
        raise refused
    _after_commit(redis, queues, blobs, user_id, erased)
    return erased.pseudonym


def _after_commit(
    redis: Redis | None, queues: Queues | None, blobs: BlobStore, user_id: int, erased: _Erased
) -> None:
    """Files, queued jobs and Redis keys; a Redis outage here leaves only keys that expire
    (caches, counters), never a session."""
    for key in erased.removal.blob_keys:
        blobs.delete(key)
    if redis is None:
        return
    try:
        if queues is not None:
            discard_jobs(queues, erased.removal.rq_ids)
        erase_redis(
            redis,
            user_id=user_id,
            emails=erased.emails,
            image_sha256s=erased.removal.image_sha256s,
            recipients=erased.recipients,
        )
    except (RedisError, OSError) as error:
        log.warning("account %s deleted; some Redis keys are left to expire: %s", user_id, error)
