"""Chat in a real browser: open a reading's thread, ask, watch the answer stream in, follow a
suggestion, and keep a screenshot of the thread."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from palm.db import make_session_factory, transaction
from palm.models import User
from tests.chat.support import done_reading, left_earth_hand, right_fire_hand
from tests.e2e.browser import PASSWORD, Watch, nav, settle, sign_up
from tests.e2e.seed import app_engine
from tests.e2e.stack import running_stack

pytestmark = pytest.mark.browser


def give_readings(db_url: str, data_dir: Path, email: str) -> None:
    """Two finished readings (right and left hand) for the account, as the worker leaves them."""
    engine = app_engine(db_url, data_dir)
    with transaction(make_session_factory(engine)) as session:
        user_id = session.scalars(select(User.id).where(User.email == email)).one()
        done_reading(session, user_id, right_fire_hand(), filename="right-palm.jpg")
        earlier = datetime(2026, 2, 1, 12, tzinfo=UTC)
        done_reading(session, user_id, left_earth_hand(), filename="left-palm.jpg", created=earlier)
    engine.dispose()


def test_ask_about_a_reading_and_follow_a_suggestion(
    page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    with running_stack(env, tmp_path, workers=1) as stack:
        watch = Watch(page)
        page.goto(stack.url)
        sign_up(page, "ana@example.com", PASSWORD)
        expect(page.get_by_role("heading", name="Welcome to Palmline")).to_be_visible()
        give_readings(db_url, tmp_path, "ana@example.com")

        nav(page, "My readings")
        page.get_by_role("link", name="Open").first.click()
        expect(page.get_by_role("heading", name="Your hand")).to_be_visible()
        page.get_by_role("link", name="Ask about this reading").click()
        expect(page.get_by_role("heading", name="Chat with the reader")).to_be_visible()
        expect(page.get_by_text("About right-palm.jpg").first).to_be_visible()
        page.get_by_role("button", name="Relationships").click()
        box = page.get_by_placeholder("Ask the reader about your palm…")
        expect(box).to_have_value("What do my lines say about love and relationships?")
        box.press("Enter")
        expect(page.get_by_text("Love and emotions (heart line).").first).to_be_visible()

        page.get_by_role("button", name="And the left hand?").click()
        expect(page.get_by_text("On your left hand").first).to_be_visible()
        expect(page.locator("[data-testid='stChatMessage']")).to_have_count(4)
        page.get_by_placeholder("Ask the reader about your palm…").fill(
            "What did you say about my heart line earlier?"
        )
        page.get_by_placeholder("Ask the reader about your palm…").press("Enter")
        expect(page.locator("[data-testid='stChatMessage']")).to_have_count(6)
        last = page.locator("[data-testid='stChatMessage']").nth(5)
        expect(last).to_contain_text("Earlier I said about your heart line")
        expect(page.get_by_role("button", name="And my head line?")).to_be_visible()  # rerun done
        page.set_viewport_size({"width": 1280, "height": 1700})
        settle(page)
        watch.assert_clean("chat")
        page.screenshot(path=str(artifacts / "chat.png"), full_page=True)
