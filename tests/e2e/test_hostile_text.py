"""The hostile world (tests/support/hostile.py) in a real browser, on every page, with a
streamed LLM answer made of hostile strings: no request ever leaves for the exfil address,
no image or link to it is in the page, no math or script runs, no dialog opens, and the
strings are there as text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, Request, expect

from palm.db import make_session_factory
from palm.infra import load_cipher
from palm.settings import Settings
from tests.e2e.browser import Watch, log_in, settle, signed_in
from tests.e2e.seed import app_engine
from tests.e2e.stack import RunningStack, running_stack
from tests.support.hostile import CORPUS, EVERYTHING, EXFIL_HOST, HostileWorld, seed_hostile
from tests.support.stub_openai import Step, StubOpenAI

pytestmark = pytest.mark.browser
#: Anything in the page that fetches, links to or runs what a hostile string carried.
LIVE_MARKUP = """host => ({
    images: Array.from(document.querySelectorAll('img'))
        .map(i => i.getAttribute('src') || '').filter(src => src.includes(host) || src === 'x'),
    links: Array.from(document.querySelectorAll('a[href]'))
        .map(a => a.getAttribute('href'))
        .filter(href => href.includes(host) || href.includes('evil.co')),
    math: document.querySelectorAll('.katex').length,
    scripts: Array.from(document.querySelectorAll('script'))
        .filter(s => (s.textContent || '').includes('zq')).length,
})"""
CLEAN = {"images": [], "links": [], "math": 0, "scripts": 0}
#: Whether the page shows a string as text (palm.ui.text's word joiners are invisible).
SHOWS = "text => document.body.innerText.replaceAll('\\u2060', '').includes(text)"


@pytest.fixture
def hostile_stack(
    db_url: str, redis_url: str, tmp_path: Path, stub: StubOpenAI
) -> Iterator[tuple[RunningStack, HostileWorld]]:
    data_dir = tmp_path / "data"
    engine = app_engine(db_url, data_dir)
    world = seed_hostile(
        make_session_factory(engine), load_cipher(Settings(palm_data_dir=data_dir))
    )
    engine.dispose()
    env = {
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(data_dir),
        "OPENAI_BASE_URL": stub.base_url,
        "OPENAI_API_KEY": "test-key",
    }
    stub.then(Step(content=EVERYTHING))  # the chat answer streamed below
    with running_stack(env, tmp_path, workers=1) as stack:
        yield stack, world


def finished(page: Page) -> None:
    """The page has connected and its script has run to the end."""
    signed_in(page)
    done = page.locator("[data-testid='stApp'][data-test-script-state='notRunning']")
    expect(done).to_have_count(1, timeout=60_000)
    settle(page)


def check(page: Page, watch: Watch, where: str, artifacts: Path) -> None:
    finished(page)
    expect(page.locator("[data-testid='stException']")).to_have_count(0)
    assert page.evaluate(LIVE_MARKUP, EXFIL_HOST) == CLEAN, where
    watch.assert_clean(where)
    page.screenshot(path=str(artifacts / f"hostile-{where}.png"), full_page=True)


def test_hostile_strings_never_fetch_link_or_run_anywhere(
    browser: Browser, hostile_stack: tuple[RunningStack, HostileWorld], artifacts: Path
) -> None:
    stack, world = hostile_stack
    requests: list[str] = []
    dialogs: list[str] = []

    def on_request(request: Request) -> None:
        if EXFIL_HOST in request.url or "evil.co" in request.url:
            requests.append(request.url)

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    context.on("request", on_request)
    pages = {  # each page, and a hostile string it shows as text
        "home": ("", None),
        "analyze": ("analyze", CORPUS["html"]),
        "readings": ("readings", CORPUS["link"]),
        "reading": (f"reading?id={world.readings[0]}", CORPUS["script"]),
        "history": ("history", None),  # a canvas table: no text to find
        "compare": (f"compare?ids={world.readings[0]},{world.shared}", CORPUS["image"]),
    }
    page = context.new_page()
    page.on("dialog", on_dialog)
    watch = Watch(page)
    page.goto(stack.url)
    log_in(page, "ana@example.com")
    signed_in(page)
    for name, (path, literal) in pages.items():
        page.goto(f"{stack.url}/{path}")
        check(page, watch, name, artifacts)
        if literal is not None:
            assert page.evaluate(SHOWS, literal), f"{name} does not show {literal!r}"

    page.goto(f"{stack.url}/chat?c={world.thread}")
    finished(page)
    page.get_by_placeholder("Ask the reader about your palm…").fill(CORPUS["image"])
    page.get_by_placeholder("Ask the reader about your palm…").press("Enter")
    expect(page.get_by_text("zq12").last).to_be_visible(timeout=30_000)  # streamed, saved
    check(page, watch, "chat", artifacts)

    admin = context.new_page()  # the same browser, another tab: the admin signs in there
    admin.on("dialog", on_dialog)
    admin_watch = Watch(admin)
    admin.context.clear_cookies()
    admin.goto(stack.url)
    log_in(admin, "adam@example.com")
    signed_in(admin)
    admin.goto(f"{stack.url}/admin")
    check(admin, admin_watch, "admin", artifacts)
    context.close()
    assert requests == [] and dialogs == []
