"""Sign-in and sign-up limits against the real Redis and database: a stranger hammering an
account from elsewhere never stops its owner, one client trying many accounts is stopped,
an account under attack from many networks still opens from the owner's own, and every
refusal is in the audit log."""

from __future__ import annotations

import pytest
from limits.storage import RedisStorage
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.accounts import SignInLimits, limited_sign_up, recent_sign_ins, sign_in, users
from palm.infra import ActionLimits, AuditAction, Outcome, RateLimitedError, RateLimiter
from palm.models import AuditEvent, User
from palm.vocabulary import Guarded, Role

PASSWORD = "correct horse battery"
OWNER_HOME, STRANGER = "203.0.113.7", "198.51.100.66"


def limiter(redis_url: str, rates: str, name: str) -> RateLimiter:
    return RateLimiter(RedisStorage(redis_url), rates, name)


@pytest.fixture
def limits(redis_url: str, redis_client: object) -> SignInLimits:
    return SignInLimits(
        per_address=limiter(redis_url, "20/minute", "t-address"),
        per_pair=limiter(redis_url, "3/minute;5/hour", "t-pair"),
        per_account=limiter(redis_url, "6/hour", "t-account"),
        redis=redis_client,  # type: ignore[arg-type]
    )


@pytest.fixture
def owner(session: Session) -> User:
    user = users.create_user(session, "ana@example.com", PASSWORD, Role.USER)
    session.commit()
    return user


def attempt(session: Session, limits: SignInLimits, address: str, password: str) -> str:
    """One sign-in as Ana from an address: "ok", or the refusal's code."""
    try:
        sign_in(session, "ana@example.com", password, address=address, limits=limits)
    except users.AccountError as error:
        return error.code
    except RateLimitedError as error:
        return error.code
    return "ok"


def throttled(session: Session) -> list[tuple[str, str, str]]:
    rows = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.RATE_LIMITED)
        .order_by(AuditEvent.id)
    )
    return [(event.outcome, event.target, event.detail) for event in rows]


def test_a_stranger_hammering_an_account_does_not_stop_its_owner(
    session: Session, limits: SignInLimits, owner: User
) -> None:
    del owner
    tries = [attempt(session, limits, STRANGER, "guess") for _ in range(5)]
    assert tries == ["INVALID_CREDENTIALS"] * 3 + ["SIGN_IN_SLOWED"] * 2
    assert attempt(session, limits, OWNER_HOME, PASSWORD) == "ok"


def test_the_slowed_pair_is_told_how_long_to_wait_and_it_is_audited(
    session: Session, limits: SignInLimits, owner: User
) -> None:
    del owner
    for _ in range(3):
        attempt(session, limits, STRANGER, "guess")
    with pytest.raises(RateLimitedError) as raised:
        sign_in(session, "ana@example.com", PASSWORD, address=STRANGER, limits=limits)
    assert 1 <= raised.value.retry_after <= 60
    assert raised.value.message == (
        "Too many failed sign-in attempts to this account from this network; "
        f"try again in {raised.value.retry_after} s."
    )
    session.commit()
    [(outcome, target, detail)] = throttled(session)
    assert (outcome, target) == (Outcome.REJECTED, "ana@example.com")
    assert detail.startswith("SIGN_IN_SLOWED by pair; address=198.51.100.66; wait=")


def test_a_right_password_clears_the_pairs_failures(
    session: Session, limits: SignInLimits, owner: User
) -> None:
    del owner
    for _ in range(2):
        attempt(session, limits, OWNER_HOME, "typo")
    assert attempt(session, limits, OWNER_HOME, PASSWORD) == "ok"
    assert [attempt(session, limits, OWNER_HOME, "typo") for _ in range(3)] == [
        "INVALID_CREDENTIALS"
    ] * 3  # counted afresh after the success


def test_one_client_trying_one_password_on_many_accounts_is_stopped(
    session: Session, limits: SignInLimits
) -> None:
    codes = []
    for index in range(22):
        try:
            sign_in(session, f"user{index}@example.com", PASSWORD, address=STRANGER, limits=limits)
        except (users.AccountError, RateLimitedError) as error:
            codes.append(error.code)
    assert codes == ["INVALID_CREDENTIALS"] * 20 + ["SIGN_IN_RATE_LIMITED"] * 2
    with pytest.raises(RateLimitedError) as raised:
        sign_in(session, "user0@example.com", PASSWORD, address=STRANGER, limits=limits)
    assert raised.value.message.startswith("Too many sign-in attempts from this network;")
    assert attempt(session, limits, OWNER_HOME, "guess") == "INVALID_CREDENTIALS"  # others pass


def test_an_account_attacked_from_many_networks_still_opens_from_a_known_one(
    session: Session, limits: SignInLimits, owner: User
) -> None:
    del owner
    assert attempt(session, limits, OWNER_HOME, PASSWORD) == "ok"  # a network Ana uses
    for bot in range(6):
        assert attempt(session, limits, f"192.0.2.{bot}", "guess") == "INVALID_CREDENTIALS"
    assert attempt(session, limits, "192.0.2.99", PASSWORD) == "SIGN_IN_SLOWED"  # new network
    assert attempt(session, limits, OWNER_HOME, PASSWORD) == "ok"


def test_an_unknown_address_is_limited_exactly_like_a_known_one(
    session: Session, limits: SignInLimits, owner: User
) -> None:
    del owner
    known = [attempt(session, limits, STRANGER, "guess") for _ in range(4)]
    unknown = []
    for _ in range(4):
        try:
            sign_in(session, "nobody@example.com", "guess", address=STRANGER, limits=limits)
        except (users.AccountError, RateLimitedError) as error:
            unknown.append(error.code)
    assert known == unknown  # the limits tell nothing about who has an account


def test_sign_ups_per_address_count_accounts_created_and_refusals_are_audited(
    session: Session, redis_url: str
) -> None:
    limits = ActionLimits(Guarded.SIGN_UP, per_address=limiter(redis_url, "2/hour", "t-sign-up"))

    def sign_up(email: str, password: str = PASSWORD, address: str = STRANGER) -> str:
        try:
            limited_sign_up(session, email, password, address=address, limits=limits)
        except (users.AccountError, RateLimitedError) as error:
            return error.code
        return "ok"

    assert sign_up("a@example.com", "short") == "WEAK_PASSWORD"  # a failed form costs nothing
    assert [sign_up(f"{name}@example.com") for name in "bcd"] == [
        "ok",
        "ok",
        "SIGN_UP_RATE_LIMITED",
    ]
    assert sign_up("e@example.com", address=OWNER_HOME) == "ok"
    session.commit()
    assert session.scalar(select(User.id).where(User.email == "d@example.com")) is None
    [(outcome, target, detail)] = throttled(session)
    assert (outcome, target) == (Outcome.REJECTED, "d@example.com")
    assert detail.startswith("SIGN_UP_RATE_LIMITED by address; address=198.51.100.66")


def test_a_failed_sign_in_is_audited_with_its_client_address_and_agent(
    session: Session, limits: SignInLimits, owner: User
) -> None:
    del owner
    with pytest.raises(users.AccountError):
        sign_in(
            session,
            "ana@example.com",
            "guess",
            address=STRANGER,
            limits=limits,
            user_agent="Firefox/130 address=10.0.0.1",
        )
    session.commit()
    [event] = session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN_FAILED)
    )
    assert event.detail.startswith(f"wrong_password; address={STRANGER}; ")
    assert users.agent_of(event.detail) == "Firefox/130 address=10.0.0.1"


def test_a_limited_sign_up_keeps_the_browser_for_the_recent_sign_ins(session: Session) -> None:
    user = limited_sign_up(
        session, "f@example.com", PASSWORD, address=STRANGER, limits=None, user_agent="Tab/1"
    )
    assert [entry.user_agent for entry in recent_sign_ins(session, user.id)] == ["Tab/1"]
