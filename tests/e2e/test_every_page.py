"""Every page, for every role, with data, in a real browser: every image loads, nothing
answers 500, the console stays clean, and a screenshot of each lands in tests/artifacts/.
Downloads arrive with their content: the History CSV, the chat exports."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from palm.vocabulary import Role
from tests.e2e.browser import Watch, download, log_in, nav, settle, signed_in
from tests.e2e.seed import Seeded, all_done, converse_and_share, seed
from tests.e2e.stack import RunningStack, running_stack, wait_until

pytestmark = pytest.mark.browser
ROLE_EMAILS = {
    Role.USER: "ana@example.com",
    Role.ANALYST: "ann@example.com",
    Role.ADMIN: "adam@example.com",
}
PAGES = {
    Role.USER: ["", "analyze", "readings", "reading", "chat", "history", "compare"],
    Role.ANALYST: ["", "analyze", "readings", "chat", "history", "compare"],
    Role.ADMIN: ["", "analyze", "readings", "chat", "history", "compare", "admin"],
}


@pytest.fixture
def seeded_stack(
    db_url: str, redis_url: str, tmp_path: Path
) -> Iterator[tuple[RunningStack, Seeded, Path]]:
    data_dir = tmp_path / "data"
    seeded = seed(db_url, redis_url, data_dir)
    env = {"DATABASE_URL": db_url, "REDIS_URL": redis_url, "PALM_DATA_DIR": str(data_dir)}
    with running_stack(env, tmp_path, workers=1) as stack:
        wait_until(lambda: all_done(db_url, seeded.real_readings), 120, "seeded readings", stack)
        converse_and_share(db_url, data_dir, seeded)
        yield stack, seeded, tmp_path


def visit(page: Page, watch: Watch, url: str, name: str, artifacts: Path) -> None:
    page.goto(url)
    settle(page)
    signed_in(page)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)
    watch.assert_clean(name)
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("role", [Role.USER, Role.ANALYST, Role.ADMIN])
def test_every_page_of_every_role_shows_without_a_fault(
    browser: Browser, seeded_stack: tuple[RunningStack, Seeded, Path], artifacts: Path, role: Role
) -> None:
    stack, seeded, _ = seeded_stack
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    watch = Watch(page)
    page.goto(stack.url)
    log_in(page, ROLE_EMAILS[role])
    signed_in(page)
    for path in PAGES[role]:
        query = f"?id={seeded.real_readings[0]}" if path == "reading" else ""
        visit(page, watch, f"{stack.url}/{path}{query}", f"{role}-{path or 'home'}", artifacts)
    context.close()


def test_downloads_arrive_with_their_content(
    browser: Browser, seeded_stack: tuple[RunningStack, Seeded, Path]
) -> None:
    stack, seeded, tmp_path = seeded_stack
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    page = context.new_page()
    watch = Watch(page)
    page.goto(stack.url + "/history")
    log_in(page, ROLE_EMAILS[Role.USER])
    expect(page.get_by_role("heading", name="History & trends")).to_be_visible()
    settle(page)
    exported = download(page, page.get_by_test_id("history-csv"), tmp_path / "history.csv")
    rows = list(csv.DictReader(io.StringIO(exported.read_text())))
    assert len(rows) == 26  # 24 synthetic readings and 2 real ones
    assert {row["owner"] for row in rows} == {"you"}

    page.goto(f"{stack.url}/chat?reading={seeded.real_readings[0]}")  # its thread
    settle(page)
    expect(page.get_by_text("What does my heart line say?").first).to_be_visible()
    page.get_by_role("button", name="Export").click()
    for label, kind in (("Markdown", "md"), ("JSON", "json"), ("PDF", "pdf")):
        page.get_by_text(label, exact=True).click()
        button = page.get_by_role("button", name=f"This conversation ({label})")
        expect(button).to_be_visible()  # the rerun for this format has drawn its button
        saved = download(page, button, tmp_path / f"chat.{kind}")
        check_chat_export(saved, kind)
    watch.assert_clean("downloads")
    context.close()


def check_chat_export(path: Path, kind: str) -> None:
    if kind == "md":
        assert "What does my heart line say?" in path.read_text()
    elif kind == "json":
        document = json.loads(path.read_text())
        assert [m["role"] for m in document["threads"][0]["messages"]][:2] == ["user", "assistant"]
    else:
        pdf = PdfReader(str(path))
        assert "What does my heart line say?" in pdf.pages[0].extract_text()


def test_on_a_phone_the_menu_closes_after_choosing_a_page(
    browser: Browser, seeded_stack: tuple[RunningStack, Seeded, Path], artifacts: Path
) -> None:
    stack, _, _ = seeded_stack
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    page.goto(stack.url)
    log_in(page, ROLE_EMAILS[Role.USER])
    signed_in_on_phone(page)
    page.get_by_test_id("stExpandSidebarButton").click()
    nav(page, "My readings")
    expect(page.get_by_role("heading", name="My readings")).to_be_visible()
    settle(page)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("aria-expanded", "false")
    page.screenshot(path=str(artifacts / "phone-my-readings.png"), full_page=True)
    phone.close()


def signed_in_on_phone(page: Page) -> None:
    expect(page.get_by_role("heading", name="Welcome to Palmline")).to_be_visible(timeout=30_000)
