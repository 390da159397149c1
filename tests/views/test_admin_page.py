"""The admin page's audit log: refusals (rate limits among them) can be shown on their own."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import AuditAction, Outcome, record
from palm.vocabulary import Role
from tests.views.conftest import AppFactory


def test_security_events_only_shows_the_refusals(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.ADMIN)
    with transaction(session_factory) as session:
        record(session, actor="ana@example.com", action=AuditAction.LOGIN, outcome=Outcome.OK)
        record(
            session,
            actor="ana@example.com",
            action=AuditAction.RATE_LIMITED,
            outcome=Outcome.REJECTED,
            detail="SIGN_IN_SLOWED by pair; address=198.51.100.66; wait=40s",
        )
    app.run()
    app.switch_page("views/admin.py").run()
    assert not app.exception
    # the admin's own account creation, the sign-in, the refusal
    assert any(
        "Refused: 1 of the last 3 events (1 by a rate limit)" in c.value for c in app.caption
    )
    assert len(app.dataframe[1].value) == 3  # accounts, then the audit log
    app.toggle(key="admin_security_only").set_value(True).run()
    log = app.dataframe[1].value
    assert list(log["action"]) == ["rate_limited"] and list(log["outcome"]) == ["rejected"]
