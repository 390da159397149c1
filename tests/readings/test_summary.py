"""The dashboard's figures: finished readings counted in the person's own time zone, the
streak of days, the latest finished reading and lines found per reading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from palm.accounts import users
from palm.models import LineResult, Reading
from palm.readings import list_readings, reading_summary
from palm.readings.summary import streak

NOW = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)  # still 28 February in New York


def add(
    session: Session, user_id: int, when: datetime, status: str = "done", found: int = 2
) -> int:
    reading = Reading(
        user_id=user_id,
        batch_id="b",
        filename=f"{when:%H%M}.jpg",
        status=status,
        created_at=when,
        overlay_key=f"overlay-{when:%d%H}",
    )
    session.add(reading)
    session.flush()
    for index, line in enumerate(("heart", "head", "life")):
        session.add(LineResult(reading_id=reading.id, line=line, found=index < found, polyline=[]))
    session.flush()
    return reading.id


def test_a_streak_counts_consecutive_days_up_to_today_or_yesterday() -> None:
    today = date(2026, 3, 1)
    days = {today - timedelta(days=n) for n in (0, 1, 2, 4)}
    assert streak(days, today) == 3
    assert streak({today - timedelta(days=1), today - timedelta(days=2)}, today) == 2
    assert streak({today - timedelta(days=2)}, today) == 0
    assert streak(set(), today) == 0


def test_a_new_account_is_empty(session: Session) -> None:
    ana = users.sign_up(session, "ana@example.com", "correct horse battery")
    result = reading_summary(session, ana.id, now=NOW)
    assert result.empty
    assert (result.this_month, result.all_time, result.streak_days) == (0, 0, 0)
    assert result.latest is None and result.lines_found == []


def test_counts_follow_the_time_zone_and_only_finished_readings_count(session: Session) -> None:
    ana = users.sign_up(session, "ana@example.com", "correct horse battery")
    ben = users.sign_up(session, "ben@example.com", "correct horse battery")
    add(session, ana.id, NOW - timedelta(hours=1), found=3)  # 1 March UTC, 28 Feb in New York
    add(session, ana.id, NOW - timedelta(days=1, hours=1), found=1)
    add(session, ana.id, NOW - timedelta(days=40))
    add(session, ana.id, NOW - timedelta(minutes=5), status="failed")
    add(session, ana.id, NOW - timedelta(minutes=1), status="queued")
    add(session, ben.id, NOW - timedelta(minutes=2))
    utc = reading_summary(session, ana.id, now=NOW)
    assert (utc.this_month, utc.all_time, utc.streak_days, utc.in_flight) == (1, 3, 2, 1)
    new_york = reading_summary(session, ana.id, now=NOW, time_zone="America/New_York")
    assert (new_york.this_month, new_york.streak_days) == (2, 2)  # 27 and 28 Feb there
    assert utc.latest is not None and utc.latest.filename == "0130.jpg"
    assert [point.found for point in utc.lines_found] == [2, 1, 3]


def test_the_latest_and_the_list_carry_shape_and_found_lines_in_the_vocabularys_order(
    session: Session,
) -> None:
    ana = users.sign_up(session, "ana@example.com", "correct horse battery")
    reading_id = add(session, ana.id, NOW - timedelta(hours=1), found=2)
    reading = session.get_one(Reading, reading_id)
    reading.hand, reading.hand_shape = "left", "fire"
    session.add(LineResult(reading_id=reading_id, line="fate", found=True, polyline=[]))
    session.flush()
    latest = reading_summary(session, ana.id, now=NOW).latest
    assert latest is not None
    assert (latest.hand_shape, latest.found_lines) == ("fire", ("heart", "head", "fate"))
    (row,) = list_readings(session, ana.id)
    assert (row.hand_shape, row.found_lines) == ("fire", ("heart", "head", "fate"))
