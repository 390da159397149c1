"""The Admin page: every section of the operations console renders for an admin with data
(health, queues, failed jobs with requeue, workers, Redis, database, LLM budget, errors),
the audit log's refusals filter, and the page refuses everyone else."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pytest
from redis import Redis
from rq import Worker
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm import accounts
from palm.db import transaction
from palm.infra import AuditAction, Outcome, record
from palm.jobs import JobSpec, Queues, get_job, record_worker_death, submit
from palm.models import AuditEvent, UsageRecord, User, utcnow
from palm.ops import sample_caches
from palm.readers import cache as reply_cache
from palm.vocabulary import JobState, Role
from tests.support.jobs import policy
from tests.views.conftest import AppFactory
from tests.workers.burst import run_burst_worker


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    """The first dataframe on the page that has ``column``."""
    return next(d.value for d in app.dataframe if column in d.value.columns)


def open_admin(app: AppTest) -> AppTest:
    app.run()
    app.switch_page("views/admin.py").run()
    assert not app.exception
    return app


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
    open_admin(app)
    # the admin's own account creation, the sign-in, the refusal
    assert any(
        "3 matching events, page 1 of 1 · 1 refusals in all." in c.value for c in app.caption
    )
    assert len(table_with(app, "outcome")) == 3
    app.toggle(key="admin_security_only").set_value(True).run()
    log = table_with(app, "outcome")
    assert list(log["action"]) == ["rate_limited"] and list(log["outcome"]) == ["rejected"]


def test_the_audit_log_filters_pages_and_downloads(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.ADMIN)
    with transaction(session_factory) as session:
        for i in range(120):
            record(
                session,
                actor=f"user{i % 2}@example.com",
                action=AuditAction.LOGIN,
                outcome=Outcome.OK,
                detail=f"n{i}",
            )
    open_admin(app)
    assert any("121 matching events, page 1 of 3" in c.value for c in app.caption)
    app.text_input(key="audit_actor").input("user1@").run()
    assert any("60 matching events, page 1 of 2" in c.value for c in app.caption)
    app.number_input(key="audit_page").set_value(2).run()
    log = table_with(app, "outcome")
    assert len(log) == 10 and set(log["actor"]) == {"user1@example.com"}
    assert any("page 2 of 2" in c.value for c in app.caption)
    app.selectbox(key="audit_action").set_value(AuditAction.LOGOUT).run()
    assert any("No audit events match." in i.value for i in app.info)


def test_security_and_presence_render_for_an_admin(
    app_as: AppFactory, session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    with transaction(session_factory) as session:
        record(
            session,
            actor="ana@example.com",
            action=AuditAction.LOGIN_FAILED,
            outcome=Outcome.REJECTED,
        )
    app = app_as(Role.ADMIN)
    with transaction(session_factory) as session:
        admin_id = session.scalars(select(User.id)).one()
    token = accounts.open_session(redis_client, admin_id, "test", idle_seconds=3600)
    accounts.note_page(redis_client, token, "admin")
    open_admin(app)
    failed = table_with(app, "Account")
    assert list(failed["Account"]) == ["ana@example.com"]
    assert "Online now" in [m.label for m in app.metric]
    pages = table_with(app, "People online")
    assert list(zip(pages["Page"], pages["People online"], strict=True)) == [("admin", 1)]


@pytest.fixture
def failed_rq_id(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
) -> str:
    """A job a real worker failed (it is in RQ's failed registry)."""
    spec = JobSpec(
        kind="test",
        func="tests.ops.console_jobs.fail_until_marked",
        policy=policy(),
        args=(str(tmp_path / "no-marker"),),
    )
    rq_id = submit(session_factory, Queues(redis_client), spec)
    assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
    return rq_id


def test_every_section_renders_for_an_admin_with_data(
    app_as: AppFactory,
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    failed_rq_id: str,
) -> None:
    sample_caches(redis_client, now=time.time() - 120)
    redis_client.incr(reply_cache.HITS_KEY, 3)
    sample_caches(redis_client, now=time.time() - 60)
    worker = Worker(Queues(redis_client).all(), connection=redis_client, name="console-test")
    worker.register_birth()  # type: ignore[no-untyped-call]
    record_worker_death(redis_client, "console-test.0", now=time.time())
    with transaction(session_factory) as session:
        session.add(
            UsageRecord(
                ts=utcnow(),
                provider="openai",
                model="gpt-4o-mini",
                purpose="reading",
                input_tokens=1200,
                output_tokens=300,
                cost_usd=45.0,  # of the 50 USD default: 90%
            )
        )
    app = open_admin(app_as(Role.ADMIN))

    health = [m.value for m in app.markdown if "**" in m.value and "badge[" in m.value]
    components = [line.split("**")[1] for line in health]
    assert components == ["queue", "workers", "Redis", "database", "LLM", "errors"]
    assert any("LLM" in line and ":orange-badge[WARN]" in line for line in health)
    assert any("errors" in line and "1 job in the failed registries" in line for line in health)

    registries = table_with(app, "finished")
    assert int(registries.loc[registries["queue"] == "default", "failed"].iloc[0]) == 1
    flow = table_with(app, "Wait p95 (s)")
    assert set(flow["Queue"]) == {"analysis", "default"}
    failed = table_with(app, "Attempts")
    assert list(failed["Job"]) == [failed_rq_id]
    assert list(failed["Code"]) == ["JOB_ERROR"]
    assert any("RuntimeError" in code.value for code in app.code)  # the traceback
    workers = table_with(app, "Heartbeat age (s)")
    assert list(workers["Name"]) == ["console-test"] and not workers["Stale"].iloc[0]
    assert next(m.value for m in app.metric if m.label == "Worker deaths (24 h)") == "1"
    assert any(m.value == "**Worker deaths per hour, last 24 h**" for m in app.markdown)
    assert any(m.value == "**Cache lookups per minute, last hour**" for m in app.markdown)
    caches = table_with(app, "Hit rate")
    assert list(caches["Cache"]) == ["LLM replies", "Explore views"]
    keys = table_with(app, "Keys")
    assert "queues" in set(keys["Use"])
    assert "Dialect" in [m.label for m in app.metric]
    rows = table_with(app, "Rows")
    assert int(rows.loc[rows["Table"] == "usage_records", "Rows"].iloc[0]) == 1
    assert any("90%" in w.value for w in app.warning)  # the budget's 80% warning
    assert list(table_with(app, "Model")["Model"]) == ["gpt-4o-mini"]
    errors = table_with(app, "Count (24 h)")
    assert "JOB_ERROR RuntimeError" in set(errors["Code"])

    app.button(key="console_requeue_one").click().run()
    assert not app.exception
    assert any(s.value == "1 job requeued." for s in app.success)
    with transaction(session_factory) as session:
        assert get_job(session, failed_rq_id).state == JobState.QUEUED
        actions = list(session.scalars(select(AuditEvent.action)))
    assert AuditAction.JOB_REQUEUED in actions


def test_an_admin_empties_a_queue_and_its_waiting_jobs_fail_audited(
    app_as: AppFactory, session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    spec = JobSpec(kind="test", func="palm.ops.system.ping_job", policy=policy())
    rq_id = submit(session_factory, Queues(redis_client), spec)
    app = open_admin(app_as(Role.ADMIN))
    assert app.button(key="console_empty_queue").disabled
    app.selectbox(key="console_empty_pick").set_value("default")
    app.checkbox(key="console_empty_sure").check().run()
    app.button(key="console_empty_queue").click().run()
    assert not app.exception
    assert any(s.value == "1 waiting job cancelled." for s in app.success)
    assert Queues(redis_client).get("default").count == 0
    with transaction(session_factory) as session:
        assert get_job(session, rq_id).state == JobState.FAILED
        events = list(session.scalars(select(AuditEvent)))
    [emptied] = [e for e in events if e.action == AuditAction.QUEUE_EMPTIED]
    assert (emptied.actor, emptied.target) == ("admin@example.com", "queue:default")


def test_an_admin_raises_the_budget_and_it_is_audited(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        session.add(UsageRecord(provider="openai", model="m", purpose="chat", cost_usd=60.0))
    app = open_admin(app_as(Role.ADMIN))
    assert any("budget is used up" in e.value for e in app.error)
    app.number_input(key="console_budget").set_value(100.0)
    app.button[[b.label for b in app.button].index("Save budget")].click().run()
    assert not app.exception
    assert not any("budget is used up" in e.value for e in app.error)
    assert any(s.value == "Monthly LLM budget set to 100.00 USD." for s in app.success)
    with transaction(session_factory) as session:
        events = list(session.scalars(select(AuditEvent)))
    changed = [e for e in events if e.action == AuditAction.LLM_BUDGET_CHANGED]
    assert len(changed) == 1 and changed[0].detail == "from setting to 100.00 USD"
    assert changed[0].actor == "admin@example.com"


@pytest.mark.parametrize("role", [Role.USER, Role.ANALYST])
def test_the_console_is_refused_to_other_roles(app_as: AppFactory, role: Role) -> None:
    app = app_as(role)
    app.run()
    app.switch_page("views/admin.py").run()
    assert not any("badge[" in m.value for m in app.markdown)
    assert not app.dataframe
