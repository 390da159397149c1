"""Browser fixtures: Debian's Chromium driven by Playwright (no downloaded browsers)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from palm.settings import PROJECT_ROOT

CHROMIUM = os.environ.get("PALM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        if os.environ.get("PALM_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (PALM_REQUIRE_BROWSER is set)")
        pytest.skip(f"Chromium not found at {CHROMIUM}; `apt-get install chromium`")
    # Assertions wait as long as actions do: their own default (5 s) is shorter than a rerun
    # takes on a loaded 2-core machine.
    expect.set_options(timeout=30_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Iterator[None]:
    """When a browser test fails, keep what each open page showed (a screenshot and its text
    in tests/artifacts/failed-<test>-<n>.*), so a red CI run can be read after the fact."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when != "call" or not report.failed:
        return
    browser = getattr(item, "funcargs", {}).get("browser")
    if browser is None:
        return
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [page for context in browser.contexts for page in context.pages]
    for number, page in enumerate(pages):
        stem = ARTIFACTS / f"failed-{item.name}-{number}"
        try:
            page.screenshot(path=str(stem.with_suffix(".png")), full_page=True)
            shown = page.locator("body").inner_text(timeout=5_000)
        except Exception as error:  # a dead page must not hide the real failure
            shown = f"(page unreadable: {error})"
        stem.with_suffix(".txt").write_text(f"{page.url}\n\n{shown}")
        report.sections.append((f"page {number} at failure ({page.url})", shown[:3000]))
