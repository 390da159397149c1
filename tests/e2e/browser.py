"""What a person would notice in the browser, as assertions: every image loaded, no response
at or above 500, no console error, and downloads that arrive with the right content.

Streamlit's frontend finds its base path by asking ``<page>/_stcore/health`` and
``<page>/_stcore/host-config`` before ``/_stcore/…``; those two expected 404 probes are the only
console errors left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import ConsoleMessage, Download, Page, Response, expect

PASSWORD = "correct horse battery staple"
BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(health|host-config)$")
BROKEN_IMAGES = """() => Array.from(document.images)
    .filter(image => image.complete && image.naturalWidth === 0)
    .map(image => image.currentSrc || image.src)"""
IMAGES_SETTLED = "() => Array.from(document.images).every(image => image.complete)"
#: What every response of the app must carry (palm.ui.web.SecurityHeaders).
SECURITY_HEADERS = ("x-frame-options", "content-security-policy", "x-content-type-options")


@dataclass
class Watch:
    """Listens to a page for the whole test: failed responses and console errors."""

    page: Page
    server_errors: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    bare_responses: list[str] = field(default_factory=list)
    origin: str = "http://127.0.0.1:"

    def __post_init__(self) -> None:
        self.page.on("response", self._response)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"pageerror: {error}"))

    def _response(self, response: Response) -> None:
        if response.url.startswith(self.origin):
            missing = [name for name in SECURITY_HEADERS if name not in response.headers]
            if missing:
                self.bare_responses.append(f"{response.status} {response.url} lacks {missing}")
        if response.status >= 500:
            self.server_errors.append(f"{response.status} {response.url}")
        elif response.status == 404 and BASE_PATH_PROBE.search(response.url):
            self.probes.append(response.url)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "")
        if "404" in message.text and BASE_PATH_PROBE.search(location):
            return
        if "404" in message.text and self.probes and not location:
            return  # Chromium names no URL for a failed fetch; the probes above are the 404s
        self.console_errors.append(f"{message.text} ({location})")

    def assert_clean(self, where: str) -> None:
        """Every image loaded, and nothing failed, so far."""
        self.page.wait_for_function(IMAGES_SETTLED, timeout=20_000)
        broken = self.page.evaluate(BROKEN_IMAGES)
        assert broken == [], f"{where}: images that did not load: {broken}"
        assert self.server_errors == [], f"{where}: {self.server_errors}"
        assert self.bare_responses == [], f"{where}: {self.bare_responses}"
        assert self.console_errors == [], f"{where}: {self.console_errors}"


def settle(page: Page) -> None:
    """Wait until Streamlit has finished running the script for what is on screen: the
    running indicator gone and no element still a loading skeleton."""
    expect(page.locator("[data-testid='stApp']")).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)
    expect(page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=60_000)
    expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)


def fill_sign_up(page: Page, email: str, password: str = PASSWORD) -> None:
    page.get_by_role("tab", name="Create an account").click()
    form = page.locator("[data-testid='stForm']").nth(1)
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_label("Repeat password").fill(password)
    form.get_by_role("button", name="Create account").click()


def fill_log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    form = page.locator("[data-testid='stForm']").first
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Password", exact=True).fill(password)
    form.get_by_role("button", name="Log in").click()


def sign_up(page: Page, email: str, password: str = PASSWORD) -> None:
    """Create an account and wait until its sign-in has come back from /auth/complete."""
    with page.expect_event("load", timeout=60_000):  # the page the cookie exchange returns to
        fill_sign_up(page, email, password)
    signed_in(page)


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in and wait until the sign-in has come back from /auth/complete: a click before
    that would be overtaken by its redirect."""
    with page.expect_event("load", timeout=60_000):
        fill_log_in(page, email, password)
    signed_in(page)


def signed_in(page: Page) -> None:
    expect(page.get_by_role("button", name="Log out")).to_be_visible(timeout=30_000)


def download(page: Page, click: object, target: Path) -> Path:
    """Click what starts a download (a locator), save the file, return its path."""
    with page.expect_download(timeout=60_000) as started:
        click.click()  # type: ignore[attr-defined]
    arrived: Download = started.value
    assert arrived.failure() is None, arrived.failure()
    arrived.save_as(target)
    return target


def nav(page: Page, name: str) -> None:
    """Follow the sidebar's link to a page (pages also link to each other in their body)."""
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=name).click()
