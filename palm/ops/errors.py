"""Failures grouped the way Sentry groups them: by code (VisionError codes, LLM fallback
codes, job timeouts, dead workers), unexpected exceptions by their type; with a count over
the last 24 hours, first and last seen, and one example message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.models import Job, UsageRecord
from palm.vocabulary import JobFailure, JobState

DAY = timedelta(hours=24)
MAX_EXAMPLE = 500


@dataclass(frozen=True)
class ErrorGroup:
    source: str  # "job" or "llm"
    code: str
    count: int
    first_seen: datetime
    last_seen: datetime
    example: str


def _group_code(code: str, message: str) -> str:
    """An unexpected exception groups by its type ("JOB_ERROR ValueError")."""
    if code == JobFailure.JOB_ERROR and ":" in message:
        return f"{code} {message.split(':', 1)[0].strip()}"
    return code


@dataclass
class _Tally:
    count: int
    first: datetime
    last: datetime
    example: str

    def add(self, at: datetime, message: str) -> None:
        self.count += 1
        self.first = min(self.first, at)
        if at >= self.last:
            self.last, self.example = at, message[:MAX_EXAMPLE]


def error_groups(session: Session, *, now: datetime) -> list[ErrorGroup]:
    """Job failures and refusals (the row's code, at its end or last attempt) and LLM
    fallbacks (usage rows' codes) of the last 24 hours, most frequent first."""
    since = now - DAY
    seen = func.coalesce(Job.ended_at, Job.started_at, Job.enqueued_at)
    states = (JobState.FAILED, JobState.REFUSED, JobState.RETRYING)
    tallies: dict[str, _Tally] = {}
    job_rows = session.execute(
        select(Job.error_code, Job.error, seen).where(
            Job.error_code.is_not(None), Job.state.in_(states), seen >= since
        )
    )
    for code, message, at in job_rows:
        key, text = _group_code(str(code), message or ""), message or ""
        if key in tallies:
            tallies[key].add(at, text)
        else:
            tallies[key] = _Tally(1, at, at, text[:MAX_EXAMPLE])
    result = [
        ErrorGroup("job", key, tally.count, tally.first, tally.last, tally.example)
        for key, tally in tallies.items()
    ]
    llm_rows = session.execute(
        select(
            UsageRecord.error_code,
            func.count(),
            func.min(UsageRecord.ts),
            func.max(UsageRecord.ts),
        )
        .where(UsageRecord.error_code.is_not(None), UsageRecord.ts >= since)
        .group_by(UsageRecord.error_code)
    )
    result.extend(
        ErrorGroup("llm", str(code), int(count), first, last, "fell back to the offline reader")
        for code, count, first, last in llm_rows
    )
    return sorted(result, key=lambda group: (-group.count, group.code))
