"""The operations console in a real browser, with data from a running stack: a job its worker
failed, LLM spend near the budget, sign-in refusals; each tab renders without a fault and
is photographed (tests/artifacts/console-<tab>.png). /metrics answers on the same port."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from palm.accounts import create_user
from palm.db import make_session_factory, transaction
from palm.infra import AuditAction, Outcome, connect, record
from palm.jobs import JobSpec, Queues, submit
from palm.models import Job, UsageRecord, utcnow
from palm.vocabulary import JobState, Role
from tests.e2e.browser import PASSWORD, Watch, fill_log_in, settle, signed_in
from tests.e2e.seed import app_engine
from tests.e2e.stack import running_stack, wait_until
from tests.support.jobs import policy

pytestmark = pytest.mark.browser
TABS = [
    "Overview",
    "Queues",
    "Failed jobs",
    "Workers",
    "Redis",
    "Database",
    "LLM",
    "Errors",
    "Security",
    "Presence",
    "Audit log",
]


def seed_console(db_url: str, redis_url: str, data_dir: Path) -> str:
    engine = app_engine(db_url, data_dir)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        create_user(session, "adam@example.com", PASSWORD, Role.ADMIN)
        for model, purpose, cost in [("gpt-4o-mini", "reading", 30.0), ("gpt-4o", "chat", 12.0)]:
            session.add(
                UsageRecord(
                    ts=utcnow(),
                    provider="openai",
                    model=model,
                    purpose=purpose,
                    input_tokens=9000,
                    output_tokens=2000,
                    cost_usd=cost,
                )
            )
        for address in ("198.51.100.7", "203.0.113.9"):
            record(
                session,
                actor="mallory@example.com",
                action=AuditAction.LOGIN_FAILED,
                outcome=Outcome.REJECTED,
            )
            record(
                session,
                actor="mallory@example.com",
                action=AuditAction.RATE_LIMITED,
                outcome=Outcome.REJECTED,
                detail=f"SIGN_IN_SLOWED by pair; address={address}; wait=40s",
            )
    redis = connect(redis_url)
    spec = JobSpec(
        kind="test",
        func="tests.ops.console_jobs.fail_until_marked",
        policy=policy(),
        args=(str(data_dir / "no-marker"),),
    )
    rq_id = submit(factory, Queues(redis), spec)
    redis.close()
    engine.dispose()
    return rq_id


def failed(db_url: str, data_dir: Path, rq_id: str) -> bool:
    engine = app_engine(db_url, data_dir)
    with transaction(make_session_factory(engine)) as session:
        state = session.scalar(select(Job.state).where(Job.rq_id == rq_id))
    engine.dispose()
    return state == JobState.FAILED


def test_every_console_tab_renders_with_data(
    browser: Browser, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    data_dir = tmp_path / "data"
    rq_id = seed_console(db_url, redis_url, data_dir)
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(data_dir)}
    with running_stack(env, tmp_path, workers=1) as stack:
        wait_until(lambda: failed(db_url, data_dir, rq_id), 120, "the failing job", stack)
        with urllib.request.urlopen(f"{stack.url}/metrics", timeout=30) as response:
            assert b"palm_queue_registry_jobs" in response.read()
        context = browser.new_context(viewport={"width": 1400, "height": 1200})
        page = context.new_page()
        watch = Watch(page)
        page.goto(stack.url + "/admin")
        fill_log_in(page, "adam@example.com")
        signed_in(page)
        page.goto(stack.url + "/admin")
        settle(page)
        # The console's first run gathers every tab (queues, workers, Redis, database, spend):
        # on a loaded machine that outlasts the default wait, so wait for its tabs themselves.
        expect(page.get_by_role("tab", name=TABS[0], exact=True)).to_be_visible(timeout=90_000)
        for tab in TABS:
            page.get_by_role("tab", name=tab, exact=True).click()
            settle(page)
            expect(page.locator("[data-testid='stException']")).to_have_count(0)
            watch.assert_clean(tab)
            name = tab.lower().replace(" ", "-")
            page.screenshot(path=str(artifacts / f"console-{name}.png"), full_page=True)
        page.get_by_role("tab", name="Overview", exact=True).click()
        expect(page.get_by_text("84% of the budget spent", exact=False)).to_be_visible()
        page.get_by_role("tab", name="Failed jobs", exact=True).click()
        traceback = page.locator("[data-testid='stCode']").first  # table cells are a canvas
        expect(traceback).to_contain_text("RuntimeError: the marker file is missing")
        context.close()
