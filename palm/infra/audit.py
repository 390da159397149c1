"""Append-only audit log of security-relevant actions."""

from __future__ import annotations

import csv
import enum
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
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
    JOB_REQUEUED = "job_requeued"
    JOB_DELETED = "job_deleted"
    LLM_BUDGET_CHANGED = "llm_budget_changed"
    LLM_BUDGET_WARNING = "llm_budget_warning"
    EMAIL_CHANGED = "email_changed"
    PASSWORD_CHANGED = "password_changed"
    SESSIONS_REVOKED = "sessions_revoked"
    PROFILE_UPDATED = "profile_updated"
    ACCOUNT_DELETED = "account_deleted"
    EXPORT_REQUESTED = "export_requested"
    EXPORT_READY = "export_ready"
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    QUEUE_EMPTIED = "queue_emptied"
    READINGS_COMPARED = "readings_compared"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    WEBHOOK_DISABLED = "webhook_disabled"


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


@dataclass(frozen=True)
class AuditFilter:
    """What the admin narrows the log to; empty fields match everything."""

    actor: str = ""  # part of the actor, any case
    action: str = ""
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def _filtered(query: Select[Any], criteria: AuditFilter) -> Select[Any]:
    if criteria.actor:
        query = query.where(AuditEvent.actor.icontains(criteria.actor, autoescape=True))
    if criteria.action:
        query = query.where(AuditEvent.action == criteria.action)
    if criteria.outcome:
        query = query.where(AuditEvent.outcome == criteria.outcome)
    if criteria.since is not None:
        query = query.where(AuditEvent.ts >= criteria.since)
    if criteria.until is not None:
        query = query.where(AuditEvent.ts < criteria.until)
    return query


def find_events(
    session: Session, criteria: AuditFilter, *, offset: int = 0, limit: int = 50
) -> tuple[list[AuditEvent], int]:
    """One page of matching events, newest first, and how many match in all."""
    total = session.scalar(_filtered(select(func.count(AuditEvent.id)), criteria)) or 0
    query = _filtered(select(AuditEvent), criteria)
    query = query.order_by(AuditEvent.ts.desc(), AuditEvent.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(query)), int(total)


AUDIT_CSV_COLUMNS = ("time", "actor", "action", "target", "outcome", "detail", "session")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    """A spreadsheet opens a cell starting with = + - @ as a formula: such text is quoted."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def events_csv(session: Session, criteria: AuditFilter, *, limit: int = 100_000) -> str:
    """The matching events (newest first, at most ``limit``) as CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_CSV_COLUMNS)
    query = _filtered(select(AuditEvent), criteria)
    query = query.order_by(AuditEvent.ts.desc(), AuditEvent.id.desc()).limit(limit)
    for event in session.scalars(query.execution_options(yield_per=2000)):
        fields = (event.actor, event.action, event.target, event.outcome, event.detail)
        writer.writerow(
            [event.ts.isoformat(), *(_cell(str(v)) for v in fields), _cell(event.session_ref)]
        )
    return buffer.getvalue()
