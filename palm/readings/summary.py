"""A person's readings at a glance, for the dashboard: how many this month and in all, the
streak of days with a reading, the latest finished one, and lines found over time."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from palm.models import LineResult, Reading
from palm.readings.found import found_lines
from palm.vocabulary import ReadingStatus

STREAK_HORIZON_DAYS = 400
CHART_POINTS = 60


@dataclass(frozen=True)
class LatestReading:
    id: int
    created_at: datetime
    filename: str
    hand: str | None
    summary: str | None
    overlay_key: str | None
    hand_shape: str | None = None
    found_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class LinesPoint:
    reading_id: int
    created_at: datetime
    found: int


@dataclass(frozen=True)
class ReadingSummary:
    this_month: int
    all_time: int
    streak_days: int
    in_flight: int
    latest: LatestReading | None
    lines_found: list[LinesPoint]

    @property
    def empty(self) -> bool:
        return self.all_time == 0 and self.in_flight == 0


def streak(days: set[date], today: date) -> int:
    """Consecutive days with a reading up to today; a streak still counts until a day passes
    without one (a reading yesterday and none yet today keeps it)."""
    day = today if today in days else today - timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= timedelta(days=1)
    return count


def _latest(session: Session, user_id: int) -> LatestReading | None:
    reading = session.scalar(
        select(Reading)
        .where(Reading.user_id == user_id, Reading.status == ReadingStatus.DONE)
        .order_by(Reading.created_at.desc(), Reading.id.desc())
        .limit(1)
    )
    if reading is None:
        return None
    return LatestReading(
        id=reading.id,
        created_at=reading.created_at,
        filename=reading.filename,
        hand=reading.hand,
        summary=reading.summary,
        overlay_key=reading.overlay_key,
        hand_shape=reading.hand_shape,
        found_lines=found_lines(session, [reading.id]).get(reading.id, ()),
    )


def _lines_found(session: Session, user_id: int) -> list[LinesPoint]:
    found = func.sum(case((LineResult.found.is_(True), 1), else_=0))
    query = (
        select(Reading.id, Reading.created_at, found)
        .join(LineResult, LineResult.reading_id == Reading.id)
        .where(Reading.user_id == user_id, Reading.status == ReadingStatus.DONE)
        .group_by(Reading.id, Reading.created_at)
        .order_by(Reading.created_at.desc(), Reading.id.desc())
        .limit(CHART_POINTS)
    )
    points = [LinesPoint(row[0], row[1], int(row[2] or 0)) for row in session.execute(query)]
    return points[::-1]


def reading_summary(
    session: Session, user_id: int, *, now: datetime, time_zone: str = "UTC"
) -> ReadingSummary:
    """The person's finished readings counted in their own time zone (months and days)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    local_now = now.astimezone(zone)
    month_start = local_now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    done = (Reading.user_id == user_id, Reading.status == ReadingStatus.DONE)
    total = session.scalar(select(func.count()).select_from(Reading).where(*done)) or 0
    month = session.scalar(
        select(func.count()).select_from(Reading).where(*done, Reading.created_at >= month_start)
    )
    in_flight = session.scalar(
        select(func.count())
        .select_from(Reading)
        .where(
            Reading.user_id == user_id,
            Reading.status.in_([ReadingStatus.QUEUED, ReadingStatus.RUNNING]),
        )
    )
    horizon = now - timedelta(days=STREAK_HORIZON_DAYS)
    stamps = session.scalars(select(Reading.created_at).where(*done, Reading.created_at >= horizon))
    days = {stamp.astimezone(zone).date() for stamp in stamps}
    return ReadingSummary(
        this_month=month or 0,
        all_time=total,
        streak_days=streak(days, local_now.date()),
        in_flight=in_flight or 0,
        latest=_latest(session, user_id),
        lines_found=_lines_found(session, user_id),
    )
