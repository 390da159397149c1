"""The audit log is append-only, enforced by the database itself."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from palm.infra.audit import AuditAction, Outcome, recent_events, record


def test_events_come_back_newest_first(session: Session) -> None:
    record(session, actor="a", action=AuditAction.LOGIN, outcome=Outcome.OK)
    record(session, actor="b", action=AuditAction.LOGOUT, outcome=Outcome.OK)
    session.flush()
    assert [event.actor for event in recent_events(session)] == ["b", "a"]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events"]
)
def test_database_refuses_to_change_or_delete_events(session: Session, statement: str) -> None:
    record(session, actor="a", action=AuditAction.LOGIN, outcome=Outcome.OK)
    session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert [event.actor for event in recent_events(session)] == ["a"]


def test_orm_refuses_to_edit_an_event(session: Session) -> None:
    event = record(session, actor="a", action=AuditAction.LOGIN, outcome=Outcome.OK)
    session.commit()
    event.actor = "someone else"
    with pytest.raises(PermissionError):
        session.flush()


def test_the_one_change_allowed_is_a_name_replaced_by_its_pseudonym(session: Session) -> None:
    record(
        session,
        actor="ana@example.com",
        action=AuditAction.LOGIN,
        outcome=Outcome.OK,
        target="ana@example.com",
        detail="from=ana@example.com",
    )
    session.commit()
    session.execute(
        text(
            "UPDATE audit_events SET actor = 'erased-u-1', target = 'erased-u-1', "
            "detail = 'from=erased-u-1'"
        )
    )
    session.commit()
    for statement in (
        "UPDATE audit_events SET actor = 'erased-u-2', action = 'logout'",
        "UPDATE audit_events SET outcome = 'rejected'",
        "UPDATE audit_events SET actor = 'someone else'",
        "UPDATE audit_events SET detail = 'wiped'",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    event = recent_events(session)[0]
    assert (event.actor, event.action, event.detail) == ("erased-u-1", "login", "from=erased-u-1")
