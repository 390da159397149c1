"""The monthly LLM budget: this month's spend against the setting or an admin's value; the
80% warning once a month; at 100% readings and chat answers come from the offline reader,
with a note, and no request reaches the model."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import AuditAction
from palm.llm import (
    BudgetGate,
    budget_status,
    month_spend,
    note_warning,
    set_budget,
    warn_if_due,
)
from palm.models import AuditEvent, UsageRecord, utcnow
from palm.runtime import Runtime
from palm.settings import Settings
from palm.vocabulary import AnalysisType, fallback_explanation
from tests.chat.support import make_thread, right_fire_hand
from tests.support.stub_openai import StubOpenAI

NOW = datetime(2026, 12, 15, 12, tzinfo=UTC)


def spend(factory: sessionmaker[Session], cost: float, at: datetime) -> None:
    with transaction(factory) as session:
        session.add(
            UsageRecord(ts=at, provider="openai", model="m", purpose="reading", cost_usd=cost)
        )


def actions(factory: sessionmaker[Session]) -> list[str]:
    with transaction(factory) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_only_this_months_spend_counts(session_factory: sessionmaker[Session]) -> None:
    spend(session_factory, 3.0, NOW - timedelta(days=20))  # November
    spend(session_factory, 1.5, datetime(2026, 12, 1, tzinfo=UTC))
    spend(session_factory, 2.0, NOW)
    with transaction(session_factory) as session:
        assert month_spend(session, now=NOW) == 3.5
        status = budget_status(session, 10.0, now=NOW)
    assert (status.budget_usd, status.spent_usd, status.month, status.source) == (
        10.0,
        3.5,
        "2026-12",
        "setting",
    )
    assert not status.warning and not status.exhausted


def test_an_admins_budget_replaces_the_setting_and_is_audited(
    session_factory: sessionmaker[Session],
) -> None:
    spend(session_factory, 8.5, NOW)
    with transaction(session_factory) as session:
        set_budget(session, 10.0, actor="admin@example.com")
    with transaction(session_factory) as session:
        status = budget_status(session, 50.0, now=NOW)
        assert status.budget_usd == 10.0 and status.source == "set by admin@example.com"
        assert status.warning and status.share == 0.85
        assert note_warning(session, status)
    assert not warn_if_due(session_factory, 50.0, now=NOW)  # once a month
    assert warn_if_due(session_factory, 50.0, now=NOW + timedelta(days=17)) is False  # < 80%
    assert actions(session_factory) == [
        AuditAction.LLM_BUDGET_CHANGED,
        AuditAction.LLM_BUDGET_WARNING,
    ]
    with transaction(session_factory) as session, pytest.raises(ValueError):
        set_budget(session, -1, actor="admin@example.com")


def test_the_gate_closes_at_the_budget_and_opens_when_it_is_raised(
    session_factory: sessionmaker[Session],
) -> None:
    spend(session_factory, 5.0, NOW)
    gate = BudgetGate(session_factory, 4.0, clock=lambda: NOW, check_seconds=0)
    assert not gate()
    with transaction(session_factory) as session:
        set_budget(session, 20.0, actor="admin@example.com")
    assert gate()
    assert BudgetGate(session_factory, 4.0, clock=lambda: NOW + timedelta(days=17))()  # January


@pytest.fixture
def llm_runtime(
    db_url: str, tmp_path: Path, stub: StubOpenAI, session_factory: sessionmaker[Session]
) -> Iterator[Runtime]:
    """The process runtime over the stub model, with this month's spend above its budget."""
    spend(session_factory, 12.0, utcnow())
    settings = Settings(
        database_url=db_url,
        palm_data_dir=tmp_path / "data",
        openai_api_key="test-key",
        openai_base_url=stub.base_url,
        palm_llm_monthly_budget_usd=10.0,
        palm_encryption_keys=None,
    )
    runtime = Runtime(settings)
    yield runtime
    runtime.close()


def test_over_budget_readings_are_written_offline_with_a_note(
    llm_runtime: Runtime, stub: StubOpenAI
) -> None:
    reader = llm_runtime.reader
    assert reader is not None
    outcome = reader.read(
        right_fire_hand(),
        [AnalysisType.LOVE],
        image_sha256="c" * 64,
        palm_crop_jpeg=None,
        seed="c" * 64,
    )
    assert stub.requests == []
    assert outcome.engine == "offline"
    assert outcome.fallbacks == {AnalysisType.LOVE: "LLM_BUDGET"}
    assert fallback_explanation("LLM_BUDGET") == (
        "The AI reader has used up this month's budget, so the built-in reader wrote this one "
        "(LLM_BUDGET)."
    )


def test_over_budget_chat_answers_come_from_the_offline_reader(
    llm_runtime: Runtime, stub: StubOpenAI, session: Session
) -> None:
    thread = make_thread(session)
    reply = thread.ask("What does my heart line say?", llm=llm_runtime.chat_llm)
    assert stub.requests == []
    assert reply.engine == "offline"
    assert reply.note is not None and "used up this month's budget (LLM_BUDGET)" in reply.note
