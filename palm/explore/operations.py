"""The explore writes that own their transaction: share a reading, revoke a share, show or
hide one's e-mail to analysts. Each bumps the cache generations of everyone whose views
changed, after the commit (palm.infra.generations); a revoke also deletes the former
recipient's cached comparisons of that reading."""

from __future__ import annotations

from collections.abc import Sequence

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import get_preference, set_preference
from palm.db import transaction
from palm.explore import shares
from palm.explore.cache import forget_comparisons
from palm.explore.query import SHOW_EMAIL_PREFERENCE
from palm.infra import ActionLimits, AuditAction, Outcome, enforce, invalidate_users, record


def share_reading(
    factory: sessionmaker[Session],
    redis: Redis | None,
    owner_id: int,
    reading_id: int,
    recipient_email: str,
    *,
    session_ref: str = "",
    rate: ActionLimits | None = None,
    address: str = "",
) -> shares.ShareRow | None:
    """Share a reading; every attempt counts against the ``rate`` limits of the account and
    the client address, whether or not the address has an account (so sharing cannot be
    used to probe for accounts at speed)."""
    target = f"reading:{reading_id}"
    enforce(
        factory, rate, user_id=owner_id, address=address, target=target, session_ref=session_ref
    )
    with transaction(factory) as session:
        share = shares.share_reading(
            session, owner_id, reading_id, recipient_email, session_ref=session_ref
        )
    if share is not None:
        invalidate_users(redis, [owner_id, share.recipient_id])
    return share


def share_notices(factory: sessionmaker[Session], recipient_id: int) -> list[shares.ShareRow]:
    """Shares the person has not been told about; telling them marks them seen."""
    with transaction(factory) as session:
        unseen = shares.unseen_shares(session, recipient_id)
        shares.mark_seen(session, recipient_id, [share.id for share in unseen])
    return unseen


def revoke_share(
    factory: sessionmaker[Session],
    redis: Redis | None,
    owner_id: int,
    share_id: int,
    *,
    session_ref: str = "",
) -> shares.ShareRow:
    with transaction(factory) as session:
        share = shares.revoke_share(session, owner_id, share_id, session_ref=session_ref)
    invalidate_users(redis, [owner_id, share.recipient_id])
    forget_comparisons(redis, share.recipient_id, share.reading_id)
    return share


def shows_email(factory: sessionmaker[Session], user_id: int) -> bool:
    """Whether the person lets analysts see their e-mail instead of a pseudonym."""
    with transaction(factory) as session:
        return get_preference(session, user_id, SHOW_EMAIL_PREFERENCE, False) is True


def set_shows_email(
    factory: sessionmaker[Session], redis: Redis | None, user_id: int, shown: bool
) -> None:
    with transaction(factory) as session:
        set_preference(session, user_id, SHOW_EMAIL_PREFERENCE, shown)
    invalidate_users(redis, [user_id])


def record_comparison(
    factory: sessionmaker[Session], user_id: int, reading_ids: Sequence[int]
) -> None:
    """Note in the person's activity that they compared these readings (owns its
    transaction; the page calls it once per set of readings, not on every rerun)."""
    with transaction(factory) as session:
        record(
            session,
            actor=f"user:{user_id}",
            action=AuditAction.READINGS_COMPARED,
            outcome=Outcome.OK,
            target=f"user:{user_id}",
            detail=" ".join(f"#{reading_id}" for reading_id in reading_ids),
        )
