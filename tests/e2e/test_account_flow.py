"""Signing in as a person does it, in a real browser: sign up, reload, a second tab, a shared
link opened while signed out, log out (every tab), log in again."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser import (
    PASSWORD,
    Watch,
    fill_log_in,
    fill_sign_up,
    log_in,
    nav,
    settle,
    sign_up,
    signed_in,
)
from tests.e2e.stack import running_stack

pytestmark = pytest.mark.browser


def test_a_session_survives_reloads_tabs_and_links(
    browser: Browser, page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    with running_stack(env, tmp_path, workers=1) as stack:
        watch = Watch(page)
        page.goto(stack.url + "/history?from=link")
        expect(page.get_by_role("tab", name="Log in")).to_be_visible()
        page.screenshot(path=str(artifacts / "login.png"))

        fill_sign_up(page, "ana@example.com", "aaaaaaaaaaaaaa")
        expect(page.get_by_text("too easy to guess")).to_be_visible()
        sign_up(page, "ana@example.com", PASSWORD)
        page.wait_for_url("**/history?from=link")  # the shared link, after sign-in
        expect(page.get_by_role("heading", name="History & trends")).to_be_visible()
        cookie = next(c for c in page.context.cookies() if c["name"] == "palm_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

        page.reload()
        settle(page)
        signed_in(page)
        expect(page.get_by_role("heading", name="History & trends")).to_be_visible()

        second = page.context.new_page()
        second.goto(stack.url + "/readings")
        signed_in(second)
        expect(second.get_by_role("heading", name="My readings")).to_be_visible()

        nav(page, "Home")
        expect(page.get_by_role("heading", name="Welcome to Palmline")).to_be_visible()
        watch.assert_clean("home")
        page.screenshot(path=str(artifacts / "home.png"), full_page=True)

        second.get_by_role("button", name="Log out").click()
        expect(second.get_by_role("tab", name="Log in")).to_be_visible()
        assert "palm_session" not in {c["name"] for c in page.context.cookies()}
        page.reload()  # the first tab was signed out too
        expect(page.get_by_role("tab", name="Log in")).to_be_visible()

        fill_log_in(page, "ana@example.com", "wrong password")
        expect(page.get_by_text("Wrong e-mail or password.")).to_be_visible()
        log_in(page, "ana@example.com", PASSWORD)
        signed_in(page)
        watch.assert_clean("after signing in again")

        restarted = browser.new_context(storage_state=page.context.storage_state())
        again = restarted.new_page()  # a browser restart keeps the persistent cookie
        again.goto(stack.url)
        signed_in(again)
        restarted.close()


def test_the_admin_pings_a_worker_and_sees_pong(
    page: Page, db_url: str, redis_url: str, tmp_path: Path, artifacts: Path
) -> None:
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(tmp_path)}
    with running_stack(env, tmp_path, workers=1) as stack:
        watch = Watch(page)
        page.goto(stack.url)
        sign_up(page, "admin@example.com", PASSWORD)  # the first account is the admin
        nav(page, "Admin")
        page.get_by_role("tab", name="Queues").click()
        page.get_by_role("button", name="Send a ping job").click()
        expect(page.get_by_text("pong", exact=False).first).to_be_visible(timeout=60_000)
        watch.assert_clean("admin")
        page.screenshot(path=str(artifacts / "admin-queues-ping.png"), full_page=True)
