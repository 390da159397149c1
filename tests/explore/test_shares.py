"""Sharing a reading by e-mail: refusals, idempotence, revocation, audit events."""

from __future__ import annotations

import pytest
from limits.storage import RedisStorage
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.explore import operations, shares
from palm.infra import ActionLimits, RateLimitedError, RateLimiter
from palm.infra.audit import AuditAction
from palm.models import AuditEvent
from palm.readings.store import ReadingNotFoundError
from palm.vocabulary import Guarded
from tests.explore.data import ReadingSpec, add_reading


@pytest.fixture
def ids(session: Session, make_account) -> dict[str, int]:
    ana, ben = make_account("ana@example.com"), make_account("ben@example.com")
    return {
        "ana": ana,
        "ben": ben,
        "reading": add_reading(session, ReadingSpec(ana)),
        "queued": add_reading(session, ReadingSpec(ana, status="queued")),
    }


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_share_then_revoke_is_listed_and_audited(session: Session, ids: dict[str, int]) -> None:
    share = shares.share_reading(session, ids["ana"], ids["reading"], "  BEN@example.com ")
    assert share is not None
    assert share.recipient_id == ids["ben"] and share.active
    same = shares.share_reading(session, ids["ana"], ids["reading"], "ben@example.com")
    assert same is not None and same.id == share.id
    assert shares.is_shared_with(session, ids["reading"], ids["ben"])
    assert [s.id for s in shares.shared_with(session, ids["ben"])] == [share.id]
    revoked = shares.revoke_share(session, ids["ana"], share.id)
    assert not revoked.active
    assert not shares.is_shared_with(session, ids["reading"], ids["ben"])
    assert shares.shared_with(session, ids["ben"]) == []
    assert [s.active for s in shares.shares_by(session, ids["ana"])] == [False]
    shares.revoke_share(session, ids["ana"], share.id)  # twice is harmless, audited once
    assert actions(session).count(AuditAction.READING_SHARED) == 1
    assert actions(session).count(AuditAction.SHARE_REVOKED) == 1
    again = shares.share_reading(session, ids["ana"], ids["reading"], "ben@example.com")
    assert again is not None
    assert again.id != share.id and again.active


@pytest.mark.parametrize(
    ("who", "reading", "email", "code"),
    [
        ("ana", "reading", "ana@example.com", "SHARE_SELF"),
        ("ana", "queued", "ben@example.com", "SHARE_NOT_DONE"),
        ("ben", "reading", "ana@example.com", "READING_NOT_FOUND"),
    ],
)
def test_refusals_have_codes(
    session: Session, ids: dict[str, int], who, reading, email, code
) -> None:
    with pytest.raises((shares.ShareError, ReadingNotFoundError)) as caught:
        shares.share_reading(session, ids[who], ids[reading], email)
    assert caught.value.code == code


def test_an_address_without_an_account_gets_no_share_and_no_hint(
    session: Session, ids: dict[str, int]
) -> None:
    assert shares.share_reading(session, ids["ana"], ids["reading"], "nobody@example.com") is None
    assert shares.shares_by(session, ids["ana"]) == []
    assert actions(session)[-1] == AuditAction.READING_SHARED  # refused, for the admins' eyes


def test_the_recipient_is_told_once(session: Session, ids: dict[str, int]) -> None:
    share = shares.share_reading(session, ids["ana"], ids["reading"], "ben@example.com")
    assert share is not None
    assert share is not None
    assert [s.id for s in shares.unseen_shares(session, ids["ben"])] == [share.id]
    shares.mark_seen(session, ids["ana"], [share.id])  # not ana's to mark
    assert [s.id for s in shares.unseen_shares(session, ids["ben"])] == [share.id]
    shares.mark_seen(session, ids["ben"], [share.id])
    assert shares.unseen_shares(session, ids["ben"]) == []


def test_only_the_owner_can_revoke(session: Session, ids: dict[str, int]) -> None:
    share = shares.share_reading(session, ids["ana"], ids["reading"], "ben@example.com")
    assert share is not None
    with pytest.raises(shares.ShareError):
        shares.revoke_share(session, ids["ben"], share.id)
    assert shares.is_shared_with(session, ids["reading"], ids["ben"])


def test_shares_over_the_limit_are_refused_even_to_addresses_without_an_account(
    session_factory: sessionmaker[Session], redis_url: str, make_account
) -> None:
    ana = make_account("ana@example.com")
    make_account("ben@example.com")
    with transaction(session_factory) as session:
        reading = add_reading(session, ReadingSpec(ana))
    rate = ActionLimits(
        Guarded.SHARE, per_account=RateLimiter(RedisStorage(redis_url), "2/hour", "test-share")
    )

    def share(email: str) -> str:
        try:
            operations.share_reading(
                session_factory, None, ana, reading, email, rate=rate, address="192.0.2.1"
            )
        except RateLimitedError as error:
            return error.code
        return "ok"

    assert [share(e) for e in ("nobody@example.com", "ben@example.com", "cy@example.com")] == [
        "ok",
        "ok",
        "SHARE_RATE_LIMITED",
    ]
    with transaction(session_factory) as session:
        assert actions(session)[-1] == AuditAction.RATE_LIMITED
        assert [s.recipient_email for s in shares.shares_by(session, ana)] == ["ben@example.com"]


@pytest.mark.parametrize(
    "email",
    ["[verify](http://127.0.0.1:9/phish)@evil.co", "<img/src=x/onerror=alert(7)>@evil.co", "ben"],
)
def test_markup_or_nonsense_is_no_address_to_share_with(
    session: Session, ids: dict[str, int], email: str
) -> None:
    with pytest.raises(PalmError) as caught:
        shares.share_reading(session, ids["ana"], ids["reading"], email)
    assert caught.value.code == "INVALID_EMAIL"
    assert shares.shares_by(session, ids["ana"]) == []
