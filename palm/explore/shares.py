"""Sharing a reading with another account, for a two-person (compatibility) comparison.

A share is a row, revocable by its owner; revoking keeps the row with ``revoked_at`` so the
owner's list and the audit log show who had access and when. Only active shares grant access.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from palm import accounts
from palm.errors import PalmError
from palm.infra import AuditAction, Outcome, record
from palm.models import Reading, ReadingShare, User, utcnow
from palm.readings import get_reading
from palm.vocabulary import DayLabel, ReadingStatus, utc_day


class ShareError(PalmError):
    """Why a share was refused."""


@dataclass(frozen=True)
class ShareRow:
    id: int
    reading_id: int
    reading_label: str
    owner_id: int
    owner_email: str
    recipient_id: int
    recipient_email: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def reading_label(reading: Reading, day: DayLabel = utc_day) -> str:
    hand = (reading.hand or "hand ?").title()
    return f"{reading.filename} · {hand} · {day(reading.created_at)}"


def _recipient(session: Session, owner: User, email: str) -> User | None:
    """The account behind an address (None: none), refusing what is not an address at all
    (INVALID_EMAIL) and the owner's own."""
    accounts.check_email(email.strip())
    if accounts.normalise_email(email) == owner.email:
        raise ShareError("SHARE_SELF", "That is your own address: pick someone else.")
    return accounts.find_by_email(session, email)


def share_reading(
    session: Session, owner_id: int, reading_id: int, recipient_email: str, *, session_ref: str = ""
) -> ShareRow | None:
    """Share one of the owner's finished readings; sharing it again returns the active share.

    An address with no account gets no share and returns None, and the owner is told the
    same thing either way, so sharing never reveals who has an account (the audit log
    keeps the difference for admins)."""
    reading = get_reading(session, owner_id, reading_id)
    if reading.status != ReadingStatus.DONE:
        raise ShareError("SHARE_NOT_DONE", "Only finished readings can be shared.")
    owner = session.get_one(User, owner_id)
    recipient = _recipient(session, owner, recipient_email)
    if recipient is None:
        record(
            session,
            actor=owner.email,
            action=AuditAction.READING_SHARED,
            outcome=Outcome.REJECTED,
            target=f"reading:{reading.id}",
            session_ref=session_ref,
            detail="no account",
        )
        return None
    share = session.scalar(
        select(ReadingShare).where(
            ReadingShare.reading_id == reading.id,
            ReadingShare.recipient_id == recipient.id,
            ReadingShare.revoked_at.is_(None),
        )
    )
    if share is None:
        share = ReadingShare(reading_id=reading.id, owner_id=owner_id, recipient_id=recipient.id)
        session.add(share)
        session.flush()
        _audit(session, AuditAction.READING_SHARED, share, session_ref)
    return _share_row(session, share)


def revoke_share(
    session: Session, owner_id: int, share_id: int, *, session_ref: str = ""
) -> ShareRow:
    """End a share (only its owner can); revoking twice is harmless."""
    share = session.scalar(
        select(ReadingShare).where(ReadingShare.id == share_id, ReadingShare.owner_id == owner_id)
    )
    if share is None:
        raise ShareError("SHARE_NOT_FOUND", "That share does not exist or is not yours.")
    if share.revoked_at is None:
        share.revoked_at = utcnow()
        _audit(session, AuditAction.SHARE_REVOKED, share, session_ref)
    return _share_row(session, share)


def _audit(session: Session, action: AuditAction, share: ReadingShare, session_ref: str) -> None:
    owner = session.get_one(User, share.owner_id)
    record(
        session,
        actor=owner.email,
        action=action,
        outcome=Outcome.OK,
        target=f"reading:{share.reading_id}",
        session_ref=session_ref,
        detail=f"share:{share.id} to user:{share.recipient_id}",
    )


def _share_row(session: Session, share: ReadingShare) -> ShareRow:
    reading = session.get_one(Reading, share.reading_id)
    owner = session.get_one(User, share.owner_id)
    recipient = session.get_one(User, share.recipient_id)
    return ShareRow(
        id=share.id,
        reading_id=share.reading_id,
        reading_label=reading_label(reading),
        owner_id=owner.id,
        owner_email=owner.email,
        recipient_id=recipient.id,
        recipient_email=recipient.email,
        created_at=share.created_at,
        revoked_at=share.revoked_at,
    )


def _listing(session: Session, *conditions: object, day: DayLabel = utc_day) -> list[ShareRow]:
    owner, recipient = aliased(User), aliased(User)
    query = (
        select(ReadingShare, Reading, owner.email, recipient.email)
        .join(Reading, Reading.id == ReadingShare.reading_id)
        .join(owner, owner.id == ReadingShare.owner_id)
        .join(recipient, recipient.id == ReadingShare.recipient_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(ReadingShare.created_at.desc(), ReadingShare.id.desc())
    )
    return [
        ShareRow(
            id=share.id,
            reading_id=share.reading_id,
            reading_label=reading_label(reading, day),
            owner_id=share.owner_id,
            owner_email=owner_email,
            recipient_id=share.recipient_id,
            recipient_email=recipient_email,
            created_at=share.created_at,
            revoked_at=share.revoked_at,
        )
        for share, reading, owner_email, recipient_email in session.execute(query)
    ]


def shares_by(session: Session, owner_id: int, *, day: DayLabel = utc_day) -> list[ShareRow]:
    """Everything the owner shared, active and revoked, newest first (reading days labelled
    by ``day``: the owner's own format and zone on their screens)."""
    return _listing(session, ReadingShare.owner_id == owner_id, day=day)


def shared_with(session: Session, recipient_id: int, *, day: DayLabel = utc_day) -> list[ShareRow]:
    """Readings others currently share with this user."""
    return _listing(
        session,
        ReadingShare.recipient_id == recipient_id,
        ReadingShare.revoked_at.is_(None),
        day=day,
    )


def unseen_shares(session: Session, recipient_id: int) -> list[ShareRow]:
    """Active shares the recipient has not been told about yet, oldest first."""
    listing = _listing(
        session,
        ReadingShare.recipient_id == recipient_id,
        ReadingShare.revoked_at.is_(None),
        ReadingShare.seen_at.is_(None),
    )
    return list(reversed(listing))


def mark_seen(session: Session, recipient_id: int, share_ids: list[int]) -> None:
    """The recipient was told (only their own shares are touched)."""
    for share in session.scalars(
        select(ReadingShare).where(
            ReadingShare.id.in_(share_ids), ReadingShare.recipient_id == recipient_id
        )
    ):
        share.seen_at = utcnow()


def is_shared_with(session: Session, reading_id: int, user_id: int) -> bool:
    query = select(ReadingShare.id).where(
        ReadingShare.reading_id == reading_id,
        ReadingShare.recipient_id == user_id,
        ReadingShare.revoked_at.is_(None),
    )
    return session.scalar(query.limit(1)) is not None
