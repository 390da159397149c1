"""The audit log filtered by actor, action, outcome and date, a page at a time, and as CSV
(text a spreadsheet would run as a formula is quoted)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import AuditAction, AuditFilter, Outcome, events_csv, find_events, record
from palm.models import utcnow


def seed(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        for i in range(30):
            event = record(
                session,
                actor="ana@example.com" if i % 3 else "bo@example.com",
                action=AuditAction.LOGIN if i % 2 else AuditAction.LOGIN_FAILED,
                outcome=Outcome.OK if i % 2 else Outcome.REJECTED,
                detail=f"event {i}",
            )
            event.ts = utcnow() - timedelta(hours=i)
        record(
            session,
            actor='=HYPERLINK("http://evil")',
            action=AuditAction.LOGIN_FAILED,
            outcome=Outcome.REJECTED,
            detail="-2+3",
        )


def test_filters_combine_and_pages_follow_each_other(
    session_factory: sessionmaker[Session],
) -> None:
    seed(session_factory)
    criteria = AuditFilter(actor="ANA@", outcome=Outcome.OK)
    with transaction(session_factory) as session:
        first, total = find_events(session, criteria, limit=5)
        second, _ = find_events(session, criteria, offset=5, limit=5)
        last, _ = find_events(session, criteria, offset=10, limit=5)
    ana_ok = [i for i in range(30) if i % 3 and i % 2]
    assert total == len(ana_ok) == 10
    assert [e.detail for e in first + second] == [f"event {i}" for i in ana_ok]
    assert last == []
    with transaction(session_factory) as session:
        recent, count = find_events(
            session,
            AuditFilter(action=AuditAction.LOGIN_FAILED, since=utcnow() - timedelta(hours=4.5)),
        )
    assert count == 4  # events 0, 2, 4 and the formula one
    assert {e.action for e in recent} == {AuditAction.LOGIN_FAILED}


def test_csv_has_every_match_and_defuses_formulas(session_factory: sessionmaker[Session]) -> None:
    seed(session_factory)
    with transaction(session_factory) as session:
        text = events_csv(session, AuditFilter(outcome=Outcome.REJECTED))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["time", "actor", "action", "target", "outcome", "detail", "session"]
    assert len(rows) == 1 + 16
    newest = rows[1]
    assert newest[1] == '\'=HYPERLINK("http://evil")' and newest[5] == "'-2+3"
