"""Failures grouped by code over 24 h, LLM usage per slice, and the overview's health lines."""

from __future__ import annotations

import traceback
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.llm import BudgetStatus
from palm.models import UsageRecord, utcnow
from palm.ops import (
    Level,
    QueueFlow,
    error_groups,
    error_health,
    error_location,
    llm_health,
    queue_health,
    usage_by,
    with_location,
)
from palm.vocabulary import JobState
from tests.ops.test_queues import add_job


def test_failures_group_by_code_and_unexpected_ones_by_type(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        for i, (code, message) in enumerate(
            [
                ("NO_HAND", "No hand was found in the photo."),
                ("NO_HAND", "No hand was found (second photo)."),
                ("JOB_ERROR", "ValueError: bad value"),
                ("JOB_ERROR", "KeyError: 'x'"),
                ("WORKER_DIED", "AbandonedJobError: gone"),
            ]
        ):
            job = add_job(
                session, f"j{i}", state=JobState.FAILED, enqueued_ago=600 - i, wait=1, run=1
            )
            job.error_code, job.error = code, message
        stale = add_job(
            session, "old", state=JobState.FAILED, enqueued_ago=2 * 86400, wait=1, run=1
        )
        stale.error_code, stale.error = "NO_HAND", "long ago"
        session.add(
            UsageRecord(provider="openai", model="m", purpose="reading", error_code="LLM_TIMEOUT")
        )
    with transaction(session_factory) as session:
        groups = {(g.source, g.code): g for g in error_groups(session, now=utcnow())}
    assert set(groups) == {
        ("job", "NO_HAND"),
        ("job", "JOB_ERROR ValueError"),
        ("job", "JOB_ERROR KeyError"),
        ("job", "WORKER_DIED"),
        ("llm", "LLM_TIMEOUT"),
    }
    no_hand = groups[("job", "NO_HAND")]
    assert no_hand.count == 2 and no_hand.first_seen < no_hand.last_seen
    assert no_hand.example == "No hand was found (second photo)."  # the latest
    health = error_health(list(groups.values()), failed_now=0)
    assert health.level == Level.AMBER
    assert health.reason == "5 job failures in 24 h (most: NO_HAND ×2)"


TRACEBACK = """Traceback (most recent call last):
  File "/srv/palmline/.venv/lib/python3.12/site-packages/rq/job.py", line 1300, in perform
    return self.func(*self.args, **self.kwargs)
  File "/srv/palmline/workers/tracking.py", line 118, in wrapper
    result = func(*args, progress=ProgressWriter(rq_job), **kwargs)
  File "/srv/palmline/palm/vision/lines.py", line 42, in trace
    return numpy.asarray(path)
  File "/srv/palmline/.venv/lib/python3.12/site-packages/numpy/core/x.py", line 7, in asarray
    raise ValueError("bad")
ValueError: bad
"""


def test_an_unexpected_error_is_located_at_its_last_project_frame() -> None:
    assert error_location(TRACEBACK) == "palm/vision/lines.py:42"
    assert error_location("ValueError: no frames") == ""
    try:
        int("not a number")
    except ValueError as error:
        text = "".join(traceback.format_exception(error))
        assert error.__traceback__ is not None
        line = error.__traceback__.tb_lineno
    assert error_location(text) == f"tests/ops/test_errors_and_health.py:{line}"


def raised_at(where: str) -> str:
    """A traceback whose deepest project frame is ``where`` (file:line)."""
    file, line = where.split(":")
    return f'Traceback (most recent call last):\n  File "/srv/palmline/{file}", line {line}, in f\n'


def test_unexpected_errors_of_one_type_group_apart_by_location(
    session_factory: sessionmaker[Session],
) -> None:
    with transaction(session_factory) as session:
        for i, where in enumerate(["palm/a.py:1", "palm/a.py:1", "palm/b.py:9", ""]):
            job = add_job(
                session, f"j{i}", state=JobState.FAILED, enqueued_ago=600 - i, wait=1, run=1
            )
            job.error_code = "JOB_ERROR"
            job.error = with_location("ValueError: bad", raised_at(where) if where else "")
    with transaction(session_factory) as session:
        found = error_groups(session, now=utcnow())
    assert [(g.code, g.location, g.count, g.example) for g in found] == [
        ("JOB_ERROR ValueError", "palm/a.py:1", 2, "ValueError: bad"),
        ("JOB_ERROR ValueError", "", 1, "ValueError: bad"),
        ("JOB_ERROR ValueError", "palm/b.py:9", 1, "ValueError: bad"),
    ]


def test_usage_per_model_purpose_user_and_day(session_factory: sessionmaker[Session]) -> None:
    now = utcnow()
    with transaction(session_factory) as session:
        for model, purpose, cost, ago in [
            ("a", "reading", 1.0, 0),
            ("a", "chat", 2.0, 0),
            ("b", "chat", 4.0, 1),
            ("b", "chat", 8.0, 70),  # before the first month counted per person, too
        ]:
            session.add(
                UsageRecord(
                    ts=now - timedelta(days=ago),
                    provider="openai",
                    model=model,
                    purpose=purpose,
                    input_tokens=100,
                    cached_tokens=10,
                    output_tokens=20,
                    cost_usd=cost,
                )
            )
    since = now - timedelta(days=30)
    with transaction(session_factory) as session:
        models = usage_by(session, "model", since=since)
        purposes = usage_by(session, "purpose", since=since)
        users = usage_by(session, "user", since=since)
        per_day = usage_by(session, "day", since=since)
    assert [(g.key, g.calls, g.cost_usd) for g in models] == [("b", 1, 4.0), ("a", 2, 3.0)]
    assert [(g.key, g.cost_usd) for g in purposes] == [("chat", 6.0), ("reading", 1.0)]
    assert [(g.key, g.input_tokens, g.cached_tokens, g.output_tokens) for g in users] == [
        ("—", 300, 30, 60)
    ]
    assert [g.cost_usd for g in per_day] == [4.0, 3.0]  # yesterday, then today


def test_health_lines_say_why() -> None:
    slow = QueueFlow(queue="analysis", wait_p95=42.0)
    health = queue_health([slow, QueueFlow(queue="default")])
    assert (health.level, health.reason) == (Level.AMBER, "analysis queue wait p95 42 s > 30 s")
    stuck = QueueFlow(queue="default", oldest_queued_age=400.0)
    assert queue_health([slow, stuck]).level == Level.RED
    assert queue_health([QueueFlow(queue="default")]).level == Level.GREEN
    over = BudgetStatus(budget_usd=10, spent_usd=12, month="2026-12", source="setting")
    assert llm_health(over, configured=True).level == Level.RED
    near = BudgetStatus(budget_usd=10, spent_usd=8.5, month="2026-12", source="setting")
    assert llm_health(near, configured=True).reason.startswith("85% of the budget spent")
    fine = BudgetStatus(budget_usd=10, spent_usd=0, month="2026-12", source="setting")
    assert llm_health(fine, configured=False).level == Level.GREEN
