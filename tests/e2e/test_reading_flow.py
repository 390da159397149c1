"""The main flow in a real browser: upload (a double click sends once), watch it progress,
open the reading, download its PNG, and find it on My readings with its thumbnail."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from palm.db import make_engine, make_session_factory, transaction
from palm.models import Reading
from palm.settings import PROJECT_ROOT
from tests.e2e.browser import Watch, download, nav, settle, sign_up, signed_in
from tests.e2e.stack import running_stack

pytestmark = pytest.mark.browser
PALM = PROJECT_ROOT / "tests" / "data" / "palms" / "palm_left_dark_sideways.jpg"
BACK = PROJECT_ROOT / "tests" / "data" / "palms" / "back_f_hanging.jpg"


def reading_count(db_url: str) -> int:
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as session:
        count = int(session.scalar(select(func.count()).select_from(Reading)) or 0)
    engine.dispose()
    return count


def test_upload_progress_reading_and_downloads(
    page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    not_a_photo = tmp_path / "notes.jpg"
    not_a_photo.write_bytes(b"these are my notes, not a photo")
    with running_stack(env, tmp_path, workers=1) as stack:
        watch = Watch(page)
        page.goto(stack.url)
        sign_up(page, "ana@example.com")
        signed_in(page)
        nav(page, "Analyze")
        page.locator("input[type='file']").set_input_files([str(PALM), str(BACK), str(not_a_photo)])
        page.get_by_role("button", name="Read my palm").dblclick()
        expect(page.get_by_text("Your photos: 2 of 2 finished")).to_be_visible(timeout=90_000)
        settle(page)
        assert reading_count(db_url) == 2  # the second click sent nothing; notes.jpg no row
        expect(page.get_by_text("Not sent: 1 file")).to_be_visible()
        expect(page.get_by_text("✗ notes.jpg")).to_be_visible()  # refused at the door
        expect(page.get_by_text(f"✗ {BACK.name}", exact=False)).to_be_visible()  # by the worker
        expect(page.locator("[data-testid='stFileUploaderFile']")).to_have_count(0)
        watch.assert_clean("analyze")
        page.screenshot(path=str(artifacts / "analyze-done.png"), full_page=True)

        page.locator("input[type='file']").set_input_files(str(PALM))  # the same photo again
        page.get_by_role("button", name="Read my palm").click()
        expect(page.get_by_text("less than 10 minutes ago")).to_be_visible()
        assert reading_count(db_url) == 2

        page.get_by_role("link", name="Open reading").first.click()
        expect(page.get_by_role("heading", name="Your hand")).to_be_visible()
        expect(page.locator(".js-plotly-plot")).to_be_visible()
        expect(page.get_by_role("heading", name="Love")).to_be_visible()
        settle(page)
        watch.assert_clean("reading")
        page.set_viewport_size({"width": 1280, "height": 2000})
        page.screenshot(path=str(artifacts / "reading.png"), full_page=True)
        png = download(
            page,
            page.get_by_role("button", name="Download the annotated photo (PNG)"),
            tmp_path / "overlay.png",
        )
        with Image.open(png) as picture:
            assert picture.format == "PNG" and min(picture.size) > 200

        nav(page, "My readings")
        expect(page.get_by_text(PALM.name)).to_be_visible()
        expect(page.locator("[data-testid='stImage'] img")).to_have_count(1)  # the thumbnail
        page.get_by_text("Photos that could not be read (1)").click()
        expect(page.get_by_text("BACK_OF_HAND", exact=False)).to_be_visible()
        settle(page)
        watch.assert_clean("my readings")
        page.screenshot(path=str(artifacts / "my-readings.png"), full_page=True)
