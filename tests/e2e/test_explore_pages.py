"""History & trends and Compare in a real browser, on seeded readings; screenshots of both."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from palm.accounts import users
from palm.db import make_session_factory, transaction
from palm.vocabulary import Role
from tests.e2e.browser import PASSWORD, Watch, log_in, nav, settle
from tests.e2e.seed import app_engine
from tests.e2e.stack import running_stack
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days

pytestmark = pytest.mark.browser
LINE_NAMES = ("heart", "head", "life", "fate", "sun", "mercury")


def seed_history(db_url: str, data_dir: Path) -> None:
    """A year of readings for ana (both hands, lines drifting) and a few for someone else."""
    rng = random.Random(5)
    engine = app_engine(db_url, data_dir)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        ana = users.create_user(session, "ana@example.com", PASSWORD, Role.USER).id
        ben = users.create_user(session, "ben@example.com", PASSWORD, Role.USER).id
        for i in range(36):
            growth = i / 36
            lines = {
                name: LineSpec(
                    found=name in ("heart", "head", "life") or rng.random() < 0.4 + growth / 2,
                    length_rel=round(0.5 + 0.3 * growth + rng.uniform(-0.05, 0.05) + k * 0.1, 3),
                    depth=round(0.3 + 0.2 * growth + rng.uniform(-0.05, 0.05), 3),
                    curvature=round(0.08 + 0.05 * k + rng.uniform(-0.02, 0.02), 3),
                    confidence=round(rng.uniform(0.5, 0.95), 2),
                )
                for k, name in enumerate(LINE_NAMES)
            }
            spec = ReadingSpec(
                ana,
                created_at=BASE_TIME + days(i * 10 + rng.random()),
                hand="left" if i % 3 else "right",
                hand_shape=rng.choice(["earth", "air", "fire", "water"]),
                lines=lines,
                shift=rng.uniform(-0.03, 0.03),
                filename=f"palm-{i:02d}.jpg",
            )
            add_reading(session, spec)
        add_reading(session, ReadingSpec(ana, status="failed", created_at=BASE_TIME + days(3)))
        for i in range(4):
            add_reading(session, ReadingSpec(ben, created_at=BASE_TIME + days(i)))
    engine.dispose()


@pytest.fixture
def stack_env(db_url: str, redis_url: str, tmp_path: Path) -> dict[str, str]:
    seed_history(db_url, tmp_path)
    return {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}


def test_history_page_in_a_browser(
    page: Page, stack_env: dict[str, str], tmp_path: Path, artifacts: Path
) -> None:
    with running_stack(stack_env, tmp_path, workers=0) as stack:
        watch = Watch(page)
        page.goto(stack.url)
        log_in(page, "ana@example.com", PASSWORD)
        nav(page, "History & trends")
        expect(page.get_by_role("heading", name="37 matching readings")).to_be_visible()
        expect(page.locator("[data-testid='stDataFrame']")).to_be_visible()
        expect(page.locator(".js-plotly-plot")).to_have_count(4)
        expect(page.get_by_text("Line metrics over time")).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 2300})  # the app scrolls inside
        expect(page.locator(".js-plotly-plot")).to_have_count(4)
        settle(page)
        watch.assert_clean("history")
        page.screenshot(path=str(artifacts / "history.png"), full_page=True)


def test_compare_page_in_a_browser(
    page: Page, stack_env: dict[str, str], tmp_path: Path, artifacts: Path
) -> None:
    with running_stack(stack_env, tmp_path, workers=0) as stack:
        watch = Watch(page)
        page.goto(stack.url)
        log_in(page, "ana@example.com", PASSWORD)
        nav(page, "Compare")
        page.get_by_role("button", name="My first vs my latest").click()
        expect(page.get_by_role("heading", name="What changed, line by line")).to_be_visible()
        expect(page.locator(".js-plotly-plot")).to_have_count(3)
        expect(page.get_by_text("The heart line grew longer")).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 1900})  # the app scrolls inside
        expect(page.locator(".js-plotly-plot")).to_have_count(3)
        settle(page)
        watch.assert_clean("compare")
        page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
