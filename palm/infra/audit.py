"""Append-only audit log of security-relevant actions."""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import AuditEvent


class AuditAction(enum.StrEnum):
    SIGN_UP = "sign_up"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    ROLE_CHANGE = "role_change"
    USER_CREATED = "user_created"
    READING_DELETED = "reading_deleted"
    READING_SHARED = "reading_shared"
    SHARE_REVOKED = "share_revoked"
    KEYS_ROTATED = "keys_rotated"
    RATE_LIMITED = "rate_limited"
    EMAIL_CHANGED = "email_changed"
    PASSWORD_CHANGED = "password_changed"
    SESSIONS_REVOKED = "sessions_revoked"
    PROFILE_UPDATED = "profile_updated"
    ACCOUNT_DELETED = "account_deleted"
    EXPORT_REQUESTED = "export_requested"
    EXPORT_READY = "export_ready"


class Outcome(enum.StrEnum):
    OK = "ok"
    REJECTED = "rejected"


def record(
    session: Session,
    *,
    actor: str,
    action: AuditAction,
    outcome: Outcome,
    target: str = "",
    session_ref: str = "",
    detail: str = "",
) -> AuditEvent:
    """Add one event to the session; the caller's transaction decides when it lands."""
    event = AuditEvent(
        actor=actor[:254],
        action=action,
        outcome=outcome,
        target=target[:254],
        session_ref=session_ref[:64],
        detail=detail,
    )
    session.add(event)
    return event


def recent_events(session: Session, *, limit: int = 100) -> list[AuditEvent]:
    """Newest first, for the admin page."""
    query = select(AuditEvent).order_by(AuditEvent.ts.desc(), AuditEvent.id.desc()).limit(limit)
    return list(session.scalars(query))
