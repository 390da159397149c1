"""Signing in and signing up under rate limits that a stranger cannot turn against the owner.

Sign-in counts three things. Every attempt from one client address (one password tried on
many accounts is stopped there). Failed attempts from one address on one account: the pair
is slowed ("try again in 40 s"), so hammering someone's account from elsewhere never slows
the owner on their own network. Failed attempts on one account from everywhere: past that,
networks the account has never signed in from are slowed, while networks it signed in from
before (remembered for 90 days) still get through. Sign-up counts the accounts one address
creates. Every refusal is audited; nothing else is written.

Keys hold digests (palm.infra.key_digest), never the e-mail or the address itself.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from palm.accounts.users import (
    MIN_PASSWORD_LENGTH,
    AccountError,
    authenticate,
    normalise_email,
    sign_up,
)
from palm.infra import ActionLimits, RateLimitedError, RateLimiter, key_digest, record_refusal
from palm.models import User
from palm.vocabulary import Guarded

log = logging.getLogger(__name__)
KNOWN_PREFIX = "palm:signin-known:"
KNOWN_SECONDS = 90 * 24 * 3600


def pair_key(email: str, address: str) -> str:
    """The key of the address + account counter: led by the account's digest, so deleting
    the account finds its counters without knowing the addresses (only digests are kept)."""
    return f"{key_digest(email)}-{key_digest(address, email)}"


@dataclass(frozen=True)
class SignInLimits:
    """The three sign-in limits (any may be None: unlimited) and the Redis that remembers
    which networks each account signed in from."""

    per_address: RateLimiter | None = None
    per_pair: RateLimiter | None = None
    per_account: RateLimiter | None = None
    redis: Redis | None = None

    def known(self, email: str, address: str) -> bool:
        if self.redis is None:
            return False
        try:
            return bool(self.redis.sismember(KNOWN_PREFIX + key_digest(email), key_digest(address)))
        except (RedisError, OSError):
            return False

    def remember(self, email: str, address: str) -> None:
        if self.redis is None:
            return
        key = KNOWN_PREFIX + key_digest(email)
        try:
            pipe = self.redis.pipeline()
            pipe.sadd(key, key_digest(address))
            pipe.expire(key, KNOWN_SECONDS)
            pipe.execute()
        except (RedisError, OSError):
            log.warning("could not remember the network of a sign-in")

    def admit(self, email: str, address: str) -> None:
        """Count the attempt from the address, or raise RateLimitedError."""
        if self.per_address is not None and (wait := self.per_address.take(key_digest(address))):
            raise RateLimitedError(Guarded.SIGN_IN, "address", wait)
        if self.per_pair is not None and (wait := self.per_pair.peek(pair_key(email, address))):
            raise RateLimitedError(Guarded.SIGN_IN, "pair", wait)
        if (
            self.per_account is not None
            and (wait := self.per_account.peek(key_digest(email)))
            and not self.known(email, address)
        ):
            raise RateLimitedError(Guarded.SIGN_IN, "account", wait)

    def failed(self, email: str, address: str) -> None:
        if self.per_pair is not None:
            self.per_pair.take(pair_key(email, address))
        if self.per_account is not None:
            self.per_account.take(key_digest(email))

    def succeeded(self, email: str, address: str) -> None:
        if self.per_pair is not None:
            self.per_pair.reset(pair_key(email, address))
        self.remember(email, address)


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    limits: SignInLimits | None,
    session_ref: str = "",
    user_agent: str = "",
) -> User:
    """`authenticate` under the sign-in limits: a refusal adds its audit event and raises
    RateLimitedError before any password is checked."""
    email = normalise_email(email)
    if limits is not None:
        try:
            limits.admit(email, address)
        except RateLimitedError as error:
            record_refusal(
                session, error, actor=email, address=address, target=email, session_ref=session_ref
            )
            raise
    try:
        user = authenticate(
            session,
            email,
            password,
            session_ref=session_ref,
            user_agent=user_agent,
            address=address,
        )
    except AccountError:
        if limits is not None:
            limits.failed(email, address)
        raise
    if limits is not None:
        limits.succeeded(email, address)
    return user


def limited_sign_up(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    limits: ActionLimits | None,
    session_ref: str = "",
    min_password_length: int = MIN_PASSWORD_LENGTH,
    user_agent: str = "",
) -> User:
    """`sign_up` under the per-address limit on accounts created: only accounts that come
    to be are counted (a mistyped form costs nothing); a refusal is audited."""
    normalised = normalise_email(email)
    try:
        if limits is not None:
            limits.peek(account=None, address=address)
    except RateLimitedError as error:
        record_refusal(
            session,
            error,
            actor=normalised,
            address=address,
            target=normalised,
            session_ref=session_ref,
        )
        raise
    user = sign_up(
        session,
        email,
        password,
        session_ref=session_ref,
        min_password_length=min_password_length,
        user_agent=user_agent,
    )
    if limits is not None:  # a replica may have taken the last room meanwhile: keep this one
        with contextlib.suppress(RateLimitedError):
            limits.take(account=None, address=address)
    return user
