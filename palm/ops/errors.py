"""Failures grouped the way Sentry groups them: by code (VisionError codes, LLM fallback
codes, job timeouts, dead workers), unexpected exceptions by their type and location (the
last frame of the project's own code in the traceback, ``palm/x.py:12``); with a count over
the last 24 hours, first and last seen, and one example message.

The worker writes an unexpected exception's row as ``Type: message`` and, when its traceback
passes through the project, a last line ``at <file:line>`` (`with_location`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePath

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.models import Job, UsageRecord
from palm.vocabulary import JobFailure, JobState

DAY = timedelta(hours=24)
MAX_EXAMPLE = 500
MAX_MESSAGE = 1500  # the row keeps 2,000 characters: room for the location line
ROOT = Path(__file__).resolve().parents[2]
PROJECT_DIRS = ("palm", "workers", "tests")
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+)', re.MULTILINE)
_LOCATION = re.compile(r"\nat (?P<where>\S+:\d+)\Z")


@dataclass(frozen=True)
class ErrorGroup:
    source: str  # "job" or "llm"
    code: str
    count: int
    first_seen: datetime
    last_seen: datetime
    example: str
    location: str = ""  # file:line of an unexpected exception, when known


def _project_path(file: str) -> str | None:
    """The file relative to the project, or None for the standard library and packages."""
    path = PurePath(file)
    if "site-packages" in path.parts or ".venv" in path.parts:
        return None
    if path.is_relative_to(ROOT):
        relative = path.relative_to(ROOT)
        return relative.as_posix() if relative.parts[0] in PROJECT_DIRS else None
    for index in range(len(path.parts) - 1, -1, -1):  # written on another machine
        if path.parts[index] in PROJECT_DIRS:
            return PurePath(*path.parts[index:]).as_posix()
    return None


def error_location(traceback_text: str) -> str:
    """The last project frame of a formatted traceback (``palm/x.py:12``), else ""."""
    found = ""
    for frame in _FRAME.finditer(traceback_text):
        relative = _project_path(frame["file"])
        if relative is not None:
            found = f"{relative}:{frame['line']}"
    return found


def with_location(message: str, traceback_text: str) -> str:
    """A row's error text: the message, and the location line when there is one."""
    where = error_location(traceback_text)
    return f"{message[:MAX_MESSAGE]}\nat {where}" if where else message


def _split(code: str, message: str) -> tuple[str, str, str]:
    """(group code, location, message without its location line). An unexpected exception
    groups by its type ("JOB_ERROR ValueError") and where it was raised."""
    found = _LOCATION.search(message)
    where, text = (found["where"], message[: found.start()]) if found else ("", message)
    if code == JobFailure.JOB_ERROR and ":" in text:
        return f"{code} {text.split(':', 1)[0].strip()}", where, text
    return code, where, text


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
    tallies: dict[tuple[str, str], _Tally] = {}
    job_rows = session.execute(
        select(Job.error_code, Job.error, seen).where(
            Job.error_code.is_not(None), Job.state.in_(states), seen >= since
        )
    )
    for code, message, at in job_rows:
        group, where, text = _split(str(code), message or "")
        key = (group, where)
        if key in tallies:
            tallies[key].add(at, text)
        else:
            tallies[key] = _Tally(1, at, at, text[:MAX_EXAMPLE])
    result = [
        ErrorGroup("job", group, tally.count, tally.first, tally.last, tally.example, where)
        for (group, where), tally in tallies.items()
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
    return sorted(result, key=lambda group: (-group.count, group.code, group.location))
