"""A person's account in a real browser: sign in, reload, change how readings are written,
the next reading follows it, export the data and open the zip, delete the account, and the
sign-in fails afterwards."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from palm.accounts import create_user
from palm.db import make_engine, make_session_factory, transaction
from palm.settings import PROJECT_ROOT
from palm.vocabulary import Role
from tests.e2e.browser import (
    PASSWORD,
    Watch,
    download,
    fill_log_in,
    fill_sign_up,
    nav,
    settle,
    signed_in,
)
from tests.e2e.stack import running_stack

pytestmark = pytest.mark.browser
PALM = PROJECT_ROOT / "tests" / "data" / "palms" / "palm_left_dark_sideways.jpg"


def an_admin_exists(db_url: str) -> None:
    """Someone else is the admin, so the person signing up is an ordinary user."""
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as session:
        create_user(session, "owner@example.com", PASSWORD, Role.ADMIN)
    engine.dispose()


def test_preferences_shape_the_next_reading_then_export_and_delete(
    page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    with running_stack(env, tmp_path, workers=1) as stack:
        an_admin_exists(db_url)
        watch = Watch(page)
        page.goto(stack.url)
        fill_sign_up(page, "ana@example.com")
        signed_in(page)
        page.reload()
        settle(page)
        signed_in(page)
        expect(page.get_by_text("You have no readings yet")).to_be_visible()
        page.screenshot(path=str(artifacts / "dashboard-empty.png"), full_page=True)

        nav(page, "Preferences")
        page.get_by_text("Matter-of-fact").click()
        page.get_by_test_id("stSelectbox").filter(has_text="Language of readings").click()
        page.get_by_role("option", name="Español").click()
        expect(page.get_by_text("Camino de vida", exact=False)).to_be_visible()  # the preview
        page.get_by_role("button", name="Save preferences").click()
        expect(page.get_by_text("Preferences saved")).to_be_visible()
        settle(page)
        watch.assert_clean("preferences")
        page.screenshot(path=str(artifacts / "preferences-preview.png"), full_page=True)

        nav(page, "Analyze")
        page.locator("input[type='file']").set_input_files(str(PALM))
        page.get_by_role("button", name="Read my palm").click()
        expect(page.get_by_text("Your photos: 1 of 1 finished")).to_be_visible(timeout=90_000)
        settle(page)
        page.get_by_role("link", name="Open reading").first.click()
        expect(page.get_by_role("heading", name="Amor y emociones", exact=False)).to_be_visible()
        expect(page.get_by_text("Forma de mano", exact=False).first).to_be_visible()

        nav(page, "Home")
        expect(page.get_by_text("Your latest reading")).to_be_visible()
        settle(page)
        watch.assert_clean("dashboard")
        page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)

        nav(page, "Profile & security")
        page.get_by_role("button", name="Export my data").click()
        button = page.get_by_role("button", name="Download my data (zip)")
        expect(button).to_be_visible(timeout=90_000)
        settle(page)
        watch.assert_clean("profile")
        page.screenshot(path=str(artifacts / "profile.png"), full_page=True)
        archive = zipfile.ZipFile(download(page, button, tmp_path / "export.zip"))
        names = set(archive.namelist())
        assert {"README.txt", "readings.json", "readings.csv", "profile.json"} <= names
        assert any(name.startswith("photos/") for name in names)
        assert archive.read(next(n for n in names if n.startswith("photos/"))) == PALM.read_bytes()

        settle(page)  # nothing may rerun under the deletion form while it is filled in
        page.get_by_text("Delete my account", exact=True).click()
        page.get_by_label("Type “delete my account” to confirm").fill("delete my account")
        deletion = page.locator("[data-testid='stForm']").filter(has_text="for good")
        deletion.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Delete my account for good").click()
        expect(page.get_by_role("tab", name="Log in")).to_be_visible()
        fill_log_in(page, "ana@example.com", PASSWORD)
        expect(page.get_by_text("Wrong e-mail or password.")).to_be_visible()
        watch.assert_clean("after deletion")
