"""Security events of the last 24 hours, from the audit log and the jobs table: failed
sign-ins by account and by client address, rate-limit hits by what was limited and by client
address, rejected uploads by code, and the sensitive actions (role changes, deletions, key
rotations …)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.infra import AuditAction
from palm.models import AuditEvent, Job
from palm.vocabulary import JobState

DAY = timedelta(hours=24)
_ADDRESS = re.compile(r"address=([^;\s]+)")
_AGENT = "agent="  # palm.accounts' AGENT_MARK: the browser's text, always last, never searched
SENSITIVE = (
    AuditAction.ROLE_CHANGE,
    AuditAction.USER_CREATED,
    AuditAction.READING_DELETED,
    AuditAction.READING_SHARED,
    AuditAction.KEYS_ROTATED,
    AuditAction.JOB_REQUEUED,
    AuditAction.JOB_DELETED,
    AuditAction.LLM_BUDGET_CHANGED,
    AuditAction.ACCOUNT_DELETED,
    AuditAction.EXPORT_REQUESTED,
    AuditAction.EMAIL_CHANGED,
    AuditAction.PASSWORD_CHANGED,
    AuditAction.SESSIONS_REVOKED,
    AuditAction.QUEUE_EMPTIED,
    AuditAction.ACCOUNT_DISABLED,
    AuditAction.ACCOUNT_ENABLED,
)


@dataclass(frozen=True)
class Count:
    key: str
    count: int


@dataclass(frozen=True)
class SecurityView:
    failed_sign_ins: list[Count]  # by account tried
    failed_sign_in_addresses: list[Count]  # by client address ("unknown" before it was kept)
    rate_limits: list[Count]  # by code ("SIGN_IN_SLOWED by pair")
    rate_limited_addresses: list[Count]
    rejected_uploads: list[Count]  # by refusal code
    sensitive: list[Count]  # by action
    refusals_per_hour: list[tuple[datetime, int]]


def _address(detail: str) -> str:
    found = _ADDRESS.search(detail.partition(_AGENT)[0])
    return found.group(1) if found else "unknown"


def _ranked(counter: Counter[str], limit: int = 20) -> list[Count]:
    return [Count(key, count) for key, count in counter.most_common(limit)]


def security_view(session: Session, *, now: datetime) -> SecurityView:
    since = now - DAY
    failed: Counter[str] = Counter()
    failed_from: Counter[str] = Counter()
    limits: Counter[str] = Counter()
    addresses: Counter[str] = Counter()
    sensitive: Counter[str] = Counter()
    hours: Counter[datetime] = Counter()
    watched = (AuditAction.LOGIN_FAILED, AuditAction.RATE_LIMITED, *SENSITIVE)
    rows = session.execute(
        select(AuditEvent.ts, AuditEvent.actor, AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.ts >= since, AuditEvent.action.in_(watched)
        )
    )
    for ts, actor, action, detail in rows:
        if action == AuditAction.LOGIN_FAILED:
            failed[actor] += 1
            failed_from[_address(detail)] += 1
        elif action == AuditAction.RATE_LIMITED:
            limits[detail.split(";", 1)[0].strip() or "unknown"] += 1
            addresses[_address(detail)] += 1
        else:
            sensitive[action] += 1
            continue
        hours[ts.replace(minute=0, second=0, microsecond=0)] += 1
    uploads = session.execute(
        select(Job.error_code, func.count())
        .where(Job.state == JobState.REFUSED, Job.ended_at >= since)
        .group_by(Job.error_code)
    )
    return SecurityView(
        failed_sign_ins=_ranked(failed),
        failed_sign_in_addresses=_ranked(failed_from),
        rate_limits=_ranked(limits),
        rate_limited_addresses=_ranked(addresses),
        rejected_uploads=_ranked(Counter({str(code): int(n) for code, n in uploads})),
        sensitive=_ranked(sensitive),
        refusals_per_hour=sorted(hours.items()),
    )
