"""Personal access tokens: created and revoked by their owner, shown once, kept as a digest.

A token is ``palm_`` + 43 random URL-safe characters; the table keeps its SHA-256 and its
first characters (so the Profile page can say which one is which). Functions take a Session
and never commit; the caller's transaction decides.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.accounts.users import AccountError
from palm.infra import AuditAction, Outcome, record
from palm.models import ApiToken, User, utcnow
from palm.vocabulary import Role, TokenScope

TOKEN_PREFIX = "palm_"
MAX_TOKEN_NAME = 80
MAX_TOKENS = 20
SHOWN_PREFIX = 12
#: last_used_at is written at most this often per token (a busy client writes nothing extra).
USE_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenInfo:
    """A token as its owner's list shows it (never the secret)."""

    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked: bool


@dataclass(frozen=True)
class TokenOwner:
    """Who a presented token acts for, and what it may do."""

    token_id: int
    user_id: int
    role: Role
    email: str
    scopes: frozenset[str]


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=list(row.scopes),
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        revoked=row.revoked_at is not None,
    )


def _check_scopes(user: User, scopes: list[str]) -> list[str]:
    """Known scopes in canonical order; ``admin`` only for analysts and admins."""
    try:
        chosen = {TokenScope(scope) for scope in scopes}
    except ValueError:
        raise AccountError("UNKNOWN_SCOPE", "Scopes are read, write and admin.") from None
    if not chosen:
        raise AccountError("NO_SCOPE", "Pick at least one scope.")
    if TokenScope.ADMIN in chosen and user.role == Role.USER:
        raise AccountError("SCOPE_NOT_ALLOWED", "Only analysts and admins can use admin scope.")
    return [scope.value for scope in TokenScope if scope in chosen]


def create_token(
    session: Session,
    user_id: int,
    *,
    name: str,
    scopes: list[str],
    expires_in_days: int | None = None,
) -> tuple[TokenInfo, str]:
    """A new token of the user's; returns it and its secret (shown once, never stored)."""
    user = session.get(User, user_id)
    if user is None or user.disabled_at is not None:
        raise AccountError("NOT_FOUND", "That account does not exist.")
    label = name.strip()[:MAX_TOKEN_NAME]
    if not label:
        raise AccountError("TOKEN_NAME_REQUIRED", "Give the token a name you will recognise.")
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise AccountError("BAD_EXPIRY", "A token expires after 1 to 366 days, or never.")
    live = [t for t in list_tokens(session, user_id) if not t.revoked]
    if len(live) >= MAX_TOKENS:
        raise AccountError("TOO_MANY_TOKENS", f"Revoke a token first (at most {MAX_TOKENS}).")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(
        user_id=user_id,
        name=label,
        digest=digest_of(secret),
        prefix=secret[:SHOWN_PREFIX],
        scopes=_check_scopes(user, scopes),
        created_at=utcnow(),
        expires_at=expires,
    )
    session.add(row)
    session.flush()
    record(
        session,
        actor=user.email,
        action=AuditAction.TOKEN_CREATED,
        outcome=Outcome.OK,
        target=f"token:{row.id}",
        detail=",".join(row.scopes),
    )
    return _info(row), secret


def list_tokens(session: Session, user_id: int) -> list[TokenInfo]:
    """The user's tokens, newest first (revoked ones too, marked)."""
    query = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
    return [_info(row) for row in session.scalars(query)]


def revoke_token(session: Session, user_id: int, token_id: int) -> None:
    """Revoke one of the user's tokens; anyone else's id is simply not found."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user_id)
    )
    if row is None:
        raise AccountError("TOKEN_NOT_FOUND", "That token does not exist or is not yours.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        owner = session.get(User, user_id)
        record(
            session,
            actor=owner.email if owner else f"user:{user_id}",
            action=AuditAction.TOKEN_REVOKED,
            outcome=Outcome.OK,
            target=f"token:{row.id}",
        )


def resolve_token(session: Session, secret: str) -> TokenOwner | None:
    """The owner of a live token (not revoked, not expired, account enabled), else None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.digest == digest_of(secret))
    ).first()
    if found is None:
        return None
    row, user = found
    now = utcnow()
    if row.revoked_at is not None or user.disabled_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
        row.last_used_at = now
    return TokenOwner(row.id, user.id, Role(user.role), user.email, frozenset(row.scopes))
