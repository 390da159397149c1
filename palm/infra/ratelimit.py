"""Rate limits kept in Redis (the `limits` library), shared by every Streamlit replica.

A limit is a `limits` rate string, one or more tiers ("5/minute;20/hour"): an attempt passes
when every tier has room, so the wait after a burst grows with the burst (a minute, then
the rest of the hour). A refusal says how long to wait. Without a reachable Redis the limits
fail open: every page shows the Redis banner, and refusing everyone would be worse.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerMinute, parse_many
from limits.storage import RedisStorage
from limits.strategies import MovingWindowRateLimiter
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.infra.audit import AuditAction, Outcome, record
from palm.models import User
from palm.vocabulary import GUARDED_NOUNS, Guarded

log = logging.getLogger(__name__)


def key_digest(*parts: str) -> str:
    """A limit's key: a digest of what it counts (an address, an e-mail), never the thing."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


def limits_storage(redis: Redis, url: str) -> RedisStorage:
    """A `limits` storage on the process's Redis connection pool (no second set of sockets)."""
    return RedisStorage(url, connection_pool=redis.connection_pool)


def parse_rates(rates: str | int) -> list[RateLimitItem]:
    """``"5/minute;20/hour"`` (or a plain number: per minute) as `limits` items."""
    if isinstance(rates, int):
        return [RateLimitItemPerMinute(rates)]
    return list(parse_many(rates))


class RateLimiter:
    """Per-key moving-window limit over one or more tiers, e.g. failed sign-ins per account."""

    def __init__(self, storage: RedisStorage, rates: str | int, namespace: str) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._items = parse_rates(rates)
        self._namespace = namespace

    def hit(self, key: str, cost: int = 1) -> bool:
        """Count ``cost`` attempts; False (and nothing counted in a full tier) when over."""
        return all(self._limiter.hit(item, self._namespace, key, cost=cost) for item in self._items)

    def wait(self, key: str, cost: int = 1) -> int:
        """Seconds until ``cost`` more attempts would pass (0: now), counting nothing."""
        waits = [
            self._limiter.get_window_stats(item, self._namespace, key).reset_time - time.time()
            for item in self._items
            if not self._limiter.test(item, self._namespace, key, cost=cost)
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def take(self, key: str, cost: int = 1) -> int:
        """Count ``cost`` attempts if they fit: 0 when they passed, else the seconds to wait
        (nothing is counted). Fails open without Redis."""
        try:
            wait = self.wait(key, cost)
            if wait == 0 and not self.hit(key, cost):  # another replica took the last room
                wait = max(1, self.wait(key, cost))
            return wait
        except (RedisError, OSError):
            log.warning("rate limiter %s unavailable; allowing the attempt", self._namespace)
            return 0

    def peek(self, key: str, cost: int = 1) -> int:
        """Like ``take`` without counting: 0 when the attempts would pass, else the wait."""
        try:
            return self.wait(key, cost)
        except (RedisError, OSError):
            return 0

    def allows(self, key: str) -> bool:
        """Count one attempt; False when over the limit (fails open without Redis)."""
        return self.take(key) == 0

    def reset(self, key: str) -> None:
        """Forget a key's attempts (after a successful sign-in)."""
        try:
            for item in self._items:
                self._limiter.clear(item, self._namespace, key)
        except (RedisError, OSError):
            log.warning("rate limiter %s unavailable; could not reset", self._namespace)


class RateLimitedError(PalmError):
    """Too many attempts: wait ``retry_after`` seconds. Says whose attempts were counted
    (this network, this account) so the person knows what waiting will change."""

    retryable = True

    def __init__(self, action: Guarded, scope: str, retry_after: int) -> None:
        noun = GUARDED_NOUNS[action]
        if scope == "pair":
            code = f"{action.upper()}_SLOWED"
            text = f"Too many failed {noun} to this account from this network"
        elif scope == "account" and action == Guarded.SIGN_IN:
            code = f"{action.upper()}_SLOWED"
            text = f"This account has had many failed {noun} from networks it has not used"
        else:
            code = f"{action.upper()}_RATE_LIMITED"
            text = f"Too many {noun} from this {'network' if scope == 'address' else scope}"
        super().__init__(code, f"{text}; try again in {retry_after} s.")
        self.action = action
        self.scope = scope
        self.retry_after = retry_after


@dataclass(frozen=True)
class ActionLimits:
    """How often one account and one client address may do an action (sign up, send
    photos, share, download); either side may be unlimited (None)."""

    action: Guarded
    per_account: RateLimiter | None = None
    per_address: RateLimiter | None = None

    def take(self, *, account: int | str | None, address: str, cost: int = 1) -> None:
        """Count the attempt on both sides, or raise RateLimitedError (nothing counted on
        the side that refused; the address is checked first, so a crowd behind one address
        does not use up each account's allowance)."""
        where = key_digest(address)
        if self.per_address is not None and (wait := self.per_address.take(where, cost)):
            raise RateLimitedError(self.action, "address", wait)
        if (
            self.per_account is not None
            and account is not None
            and (wait := self.per_account.take(str(account), cost))
        ):
            raise RateLimitedError(self.action, "account", wait)

    def peek(self, *, account: int | str | None, address: str, cost: int = 1) -> None:
        """Raise the RateLimitedError an attempt would get now, counting nothing (pages
        use it to say so before offering a button)."""
        where = key_digest(address)
        if self.per_address is not None and (wait := self.per_address.peek(where, cost)):
            raise RateLimitedError(self.action, "address", wait)
        if (
            self.per_account is not None
            and account is not None
            and (wait := self.per_account.peek(str(account), cost))
        ):
            raise RateLimitedError(self.action, "account", wait)


def record_refusal(
    session: Session,
    error: RateLimitedError,
    *,
    actor: str,
    address: str,
    target: str = "",
    session_ref: str = "",
) -> None:
    """The refusal in the audit log (the admin page's security events): what, whose
    attempts, from where, and for how long."""
    record(
        session,
        actor=actor or "anonymous",
        action=AuditAction.RATE_LIMITED,
        outcome=Outcome.REJECTED,
        target=target,
        session_ref=session_ref,
        detail=f"{error.code} by {error.scope}; address={address}; wait={error.retry_after}s",
    )


def enforce(
    factory: sessionmaker[Session],
    limits: ActionLimits | None,
    *,
    user_id: int | None,
    address: str,
    cost: int = 1,
    target: str = "",
    session_ref: str = "",
) -> None:
    """Count an attempt of an operation that owns its transactions, or commit the refusal's
    audit event and raise RateLimitedError before the operation writes anything."""
    if limits is None:
        return
    try:
        limits.take(account=user_id, address=address, cost=cost)
    except RateLimitedError as error:
        with transaction(factory) as session:
            user = session.get(User, user_id) if user_id is not None else None
            actor = user.email if user is not None else f"user:{user_id}"
            record_refusal(
                session,
                error,
                actor=actor,
                address=address,
                target=target,
                session_ref=session_ref,
            )
        raise
