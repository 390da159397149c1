"""A person's own timeline: what they did and what happened to their things, from the audit
log (sign-ins, account changes, shares, deletions, exports), their readings (uploads, done,
failed) and their chats, newest first, filtered by kind and date, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from cryptography.fernet import MultiFernet
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from palm import accounts, chat
from palm.infra import AuditAction, Outcome
from palm.models import AuditEvent, Reading
from palm.vocabulary import ReadingStatus

#: Kinds a person filters by, with their labels.
ACTIVITY_KINDS: dict[str, str] = {
    "sign_in": "Sign-ins",
    "account": "Account changes",
    "reading": "Readings",
    "share": "Shares",
    "comparison": "Comparisons",
    "chat": "Chats",
    "data": "Exports",
}
AUDIT_WORDS: dict[str, tuple[str, str]] = {
    AuditAction.LOGIN: ("sign_in", "Signed in"),
    AuditAction.LOGIN_FAILED: ("sign_in", "A sign-in failed"),
    AuditAction.LOGOUT: ("sign_in", "Signed out"),
    AuditAction.SIGN_UP: ("account", "Account created"),
    AuditAction.USER_CREATED: ("account", "Account created"),
    AuditAction.ROLE_CHANGE: ("account", "Role changed"),
    AuditAction.EMAIL_CHANGED: ("account", "E-mail address changed"),
    AuditAction.PASSWORD_CHANGED: ("account", "Password changed"),
    AuditAction.PROFILE_UPDATED: ("account", "Profile updated"),
    AuditAction.SESSIONS_REVOKED: ("account", "Sessions signed out"),
    AuditAction.RATE_LIMITED: ("account", "Slowed down by a rate limit"),
    AuditAction.READING_DELETED: ("reading", "Reading deleted"),
    AuditAction.READING_SHARED: ("share", "Reading shared"),
    AuditAction.SHARE_REVOKED: ("share", "Share revoked"),
    AuditAction.EXPORT_REQUESTED: ("data", "Data export requested"),
    AuditAction.EXPORT_READY: ("data", "Data export ready"),
    AuditAction.READINGS_COMPARED: ("comparison", "Compared readings"),
    AuditAction.TOKEN_CREATED: ("account", "API token created"),
    AuditAction.TOKEN_REVOKED: ("account", "API token revoked"),
    AuditAction.WEBHOOK_DISABLED: ("account", "A webhook was turned off after failing"),
}

#: Refusals whose words already say how they went (no "— refused" after them).
SAY_THEIR_OUTCOME = {AuditAction.LOGIN_FAILED, AuditAction.WEBHOOK_DISABLED}


@dataclass(frozen=True)
class ActivityItem:
    ts: datetime
    kind: str
    text: str
    reading_id: int | None = None


@dataclass(frozen=True)
class ActivityPage:
    items: list[ActivityItem]
    page: int
    pages: int
    total: int


def _from_audit(session: Session, user_id: int) -> list[ActivityItem]:
    names = accounts.addresses_of(session, user_id) | {f"user:{user_id}"}
    query = select(AuditEvent).where(or_(AuditEvent.actor.in_(names), AuditEvent.target.in_(names)))
    items = []
    for event in session.scalars(query):
        kind, text = AUDIT_WORDS.get(event.action, ("account", event.action.replace("_", " ")))
        if event.outcome == Outcome.REJECTED and event.action not in SAY_THEIR_OUTCOME:
            text += " — refused"
        elif event.action == AuditAction.READINGS_COMPARED and event.detail:
            text += f" {event.detail}"
        items.append(ActivityItem(event.ts, kind, text))
    return items


def _from_readings(session: Session, user_id: int) -> list[ActivityItem]:
    items = []
    for reading in session.scalars(select(Reading).where(Reading.user_id == user_id)):
        items.append(
            ActivityItem(reading.created_at, "reading", f"Uploaded {reading.filename}", reading.id)
        )
        if reading.finished_at is None:
            continue
        if reading.status == ReadingStatus.DONE:
            text = f"Reading of {reading.filename} ready"
        else:
            text = f"{reading.filename} could not be read ({reading.error_code or 'error'})"
        items.append(ActivityItem(reading.finished_at, "reading", text, reading.id))
    return items


def _from_chats(session: Session, cipher: MultiFernet, user_id: int) -> list[ActivityItem]:
    threads = [
        *chat.list_threads(session, cipher, user_id),
        *chat.list_threads(session, cipher, user_id, archived=True),
    ]
    return [
        ActivityItem(thread.updated_at, "chat", f"Chat “{thread.title}” ({thread.message_count})")
        for thread in threads
    ]


def activity(
    session: Session,
    cipher: MultiFernet,
    user_id: int,
    *,
    kinds: set[str] | None = None,
    start: date | None = None,
    end: date | None = None,
    page: int = 1,
    per_page: int = 25,
) -> ActivityPage:
    """One page of the person's timeline, newest first (dates are UTC days, inclusive)."""
    items = [
        *_from_audit(session, user_id),
        *_from_readings(session, user_id),
        *_from_chats(session, cipher, user_id),
    ]
    chosen = [
        item
        for item in items
        if (kinds is None or item.kind in kinds)
        and (start is None or item.ts.date() >= start)
        and (end is None or item.ts.date() <= end)
    ]
    chosen.sort(key=lambda item: item.ts, reverse=True)
    pages = max(1, -(-len(chosen) // per_page))
    page = min(max(1, page), pages)
    return ActivityPage(chosen[(page - 1) * per_page : page * per_page], page, pages, len(chosen))
