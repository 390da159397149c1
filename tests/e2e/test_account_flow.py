"""A person signs up, sees the home page, logs out and logs in again, in a real browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.stack import running_stack

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


def fill_sign_up(page: Page, email: str, password: str) -> None:
    page.get_by_role("tab", name="Create an account").click()
    form = page.locator("[data-testid='stForm']").nth(1)
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_label("Repeat password").fill(password)
    form.get_by_role("button", name="Create account").click()


def fill_log_in(page: Page, email: str, password: str) -> None:
    form = page.locator("[data-testid='stForm']").first
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Log in").click()


def test_sign_up_home_log_out_log_in(
    page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    with running_stack(env, tmp_path, workers=1) as stack:
        page.goto(stack.url)
        expect(page.get_by_role("tab", name="Log in")).to_be_visible()
        page.screenshot(path=str(artifacts / "login.png"))

        fill_sign_up(page, "ana@example.com", "short")
        expect(page.get_by_text("at least 10 characters")).to_be_visible()

        fill_sign_up(page, "ana@example.com", PASSWORD)
        expect(page.get_by_role("heading", name="Welcome to Palmline")).to_be_visible()
        expect(page.get_by_text("For entertainment only.")).to_be_visible()
        expect(page.get_by_text("Admin", exact=True)).to_be_visible()  # first account is admin
        page.screenshot(path=str(artifacts / "home.png"), full_page=True)

        page.get_by_text("Admin", exact=True).click()
        page.get_by_role("tab", name="System").click()
        page.get_by_role("button", name="Send a ping job").click()
        expect(page.get_by_text("finished: 1")).to_be_visible()  # a worker ran it
        page.screenshot(path=str(artifacts / "admin-system.png"), full_page=True)

        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("tab", name="Log in")).to_be_visible()

        fill_log_in(page, "ana@example.com", "wrong password")
        expect(page.get_by_text("Wrong e-mail or password.")).to_be_visible()
        fill_log_in(page, "ana@example.com", PASSWORD)
        expect(page.get_by_role("heading", name="Welcome to Palmline")).to_be_visible()
