"""The main flow in a real browser: upload a palm, watch it progress, open the reading."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from palm.settings import PROJECT_ROOT
from tests.e2e.stack import running_stack
from tests.e2e.test_account_flow import PASSWORD, fill_sign_up

pytestmark = pytest.mark.browser
PALM = PROJECT_ROOT / "tests" / "data" / "palms" / "palm_left_dark_sideways.jpg"


def test_upload_progress_and_reading(
    page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    with running_stack(env, tmp_path, workers=1) as stack:
        page.goto(stack.url)
        fill_sign_up(page, "ana@example.com", PASSWORD)
        page.get_by_role("link", name="Analyze").click()
        page.locator("input[type='file']").set_input_files(str(PALM))
        page.get_by_role("button", name="Read my palm").click()
        expect(page.get_by_text("Your batch: 1 of 1 finished")).to_be_visible(timeout=90_000)
        page.screenshot(path=str(artifacts / "analyze-done.png"), full_page=True)

        page.get_by_role("link", name="Open reading").click()
        expect(page.get_by_role("heading", name="Your hand")).to_be_visible()
        expect(page.locator(".js-plotly-plot")).to_be_visible()
        expect(page.get_by_role("heading", name="Love")).to_be_visible()
        page.screenshot(path=str(artifacts / "reading.png"), full_page=True)

        page.get_by_role("link", name="My readings").click()
        expect(page.get_by_text(PALM.name)).to_be_visible()
        page.screenshot(path=str(artifacts / "my-readings.png"), full_page=True)
