"""Every page, with every untrusted field holding a hostile string (tests/support/hostile.py),
through AppTest: no element renders one as markup (no link, image, HTML, math or directive
survives unescaped where Streamlit reads Markdown; HTML and chart specs never carry one), and
each string is shown as exactly the text it is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
import streamlit as st
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.runtime import get_runtime, reset_runtime
from palm.settings import PROJECT_ROOT, get_settings
from palm.ui.auth import USER_KEY
from tests.support.hostile import (
    CORPUS,
    EVERYTHING,
    IMG_MAIL,
    LONG,
    MARKER,
    PHISHER,
    TAG,
    HostileWorld,
    seed_hostile,
)
from tests.support.rendered import active_markup, readable, text_of
from tests.support.stub_openai import Step, StubOpenAI

#: Proto fields Streamlit shows as text, never as Markdown.
PLAIN_FIELDS = {
    "Text.body",
    "Code.code_text",
    "Selectbox.options",
    "Selectbox.raw_value",
    "MultiSelect.options",
    "MultiSelect.raw_values",
    "TextInput.default",
    "TextInput.value",
    "TextInput.placeholder",
    "TextArea.default",
    "TextArea.value",
    "ChatInput.value",
    "ChatInput.default",
}
#: Proto fields that are HTML or a chart spec: an untrusted string has no business there.
FORBIDDEN_FIELDS = {"Html.body", "PlotlyChart.spec", "PlotlyChart.figure", "IFrame.srcdoc"}
NEWEST_FIRST_PAGE = [text for text in CORPUS.values() if text != CORPUS["image"]]


def _nodes(node: object) -> Iterator[object]:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from _nodes(child)


def _is_proto(value: object) -> bool:
    return hasattr(value, "ListFields") and hasattr(value, "DESCRIPTOR")


def _strings(message: Any) -> Iterator[tuple[str, str]]:
    """Every string in a proto message, with the field it sits in ("Markdown.body")."""
    for field, value in message.ListFields():
        repeated = field.label == field.LABEL_REPEATED
        items = list(value) if repeated else [value]
        if field.type == field.TYPE_MESSAGE:
            for item in items:
                if _is_proto(item):
                    yield from _strings(item)
        elif field.type == field.TYPE_STRING:
            for item in items:
                yield f"{message.DESCRIPTOR.name}.{field.name}", item


def fields(app: AppTest) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for node in _nodes(app._tree):
        proto = getattr(node, "proto", None)
        if _is_proto(proto):
            found.extend(_strings(proto))
    return found


def markup_problems(app: AppTest) -> list[str]:
    """Where a hostile string reached an element that would render it as markup."""
    problems = []
    for where, value in fields(app):
        if MARKER not in value or where in PLAIN_FIELDS:
            continue
        if where in FORBIDDEN_FIELDS:
            problems.append(f"{where} carries untrusted text: {value[:80]!r}")
        elif markup := active_markup(value):
            problems.append(f"{where} renders {markup}: {value[:80]!r}")
    return problems


def shown(app: AppTest) -> list[str]:
    """What a person reads: Markdown as rendered, plain fields and table cells as they are."""
    texts = [value if where in PLAIN_FIELDS else text_of(value) for where, value in fields(app)]
    for table in app.dataframe:
        frame = table.value
        if isinstance(frame, pd.DataFrame):
            texts += [str(cell) for cell in frame.to_numpy().ravel()]
    return texts


def assert_plain(app: AppTest, *expected: str) -> None:
    assert not app.exception, app.exception
    assert markup_problems(app) == []
    texts = shown(app)
    seen = [readable(shown_text) for shown_text in texts]
    missing = [text for text in expected if not any(readable(text) in one for one in seen)]
    assert missing == [], "not shown as literal text"


@pytest.fixture
def world(app_env: dict[str, str], session_factory: sessionmaker[Session]) -> HostileWorld:
    del app_env
    return seed_hostile(session_factory, get_runtime().cipher)


def page(user_id: int, path: str, **query: str) -> AppTest:
    """The page as the user's first view of it (the home page is where a session starts)."""
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    app.session_state[USER_KEY] = user_id
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    return app if path == "views/home.py" else app.switch_page(path).run()


def test_home_tells_of_a_share_from_a_markup_address_in_plain_text(world: HostileWorld) -> None:
    app = page(world.ana, "views/home.py")
    assert_plain(app, f"{PHISHER} shared a reading with you")
    assert app.toast  # the notice was shown


def test_analyze_progress_shows_filenames_as_text(world: HostileWorld) -> None:
    assert_plain(page(world.ana, "views/analyze.py"), CORPUS["html"])


def test_my_readings_show_filenames_summaries_and_reasons_as_text(world: HostileWorld) -> None:
    assert_plain(page(world.ana, "views/readings.py"), *NEWEST_FIRST_PAGE, CORPUS["image"])


def test_a_reading_shows_its_texts_notes_and_share_list_as_text(world: HostileWorld) -> None:
    app = page(world.ana, "views/reading.py", id=str(world.readings[0]))
    assert_plain(
        app,
        f"Reading of {CORPUS['image']}",
        CORPUS["link"],  # the card titles
        EVERYTHING,  # the card texts
        CORPUS["html"],  # a line's text
        f"Note: {LONG}",
        f"→ {IMG_MAIL}",
    )


def test_a_failed_reading_shows_its_reason_as_text(world: HostileWorld) -> None:
    app = page(world.ana, "views/reading.py", id=str(world.failed))
    assert_plain(app, f"Reading of {CORPUS['link']}", f"{CORPUS['image']} [NO_HAND]")


def test_chat_shows_titles_folders_tags_messages_and_search_hits_as_text(
    world: HostileWorld,
) -> None:
    app = page(world.ana, "views/chat.py", c=str(world.thread))
    assert_plain(app, CORPUS["image"], CORPUS["html"], CORPUS["link"], f"#{TAG}", EVERYTHING, LONG)
    app.text_input(key="chat_search_query").set_value(MARKER).run()
    assert_plain(app, CORPUS["image"])
    assert any(b.key and b.key.startswith("chat_hit_") for b in app.button)


def test_a_streamed_llm_answer_is_shown_as_text(
    world: HostileWorld, stub: StubOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    get_settings.cache_clear()
    reset_runtime()
    stub.then(Step(content=EVERYTHING))
    app = page(world.ana, "views/chat.py", c=str(world.thread))
    monkeypatch.setattr(st, "rerun", lambda *_args, **_kwargs: None)  # keep the streamed answer
    app.chat_input(key="chat_input").set_value(CORPUS["image"]).run()
    streamed = [block.value for message in app.chat_message[-2:] for block in message.markdown]
    assert [text_of(value) for value in streamed] == [CORPUS["image"], readable(EVERYTHING)]
    assert_plain(app, EVERYTHING)


def test_history_tables_show_filenames_and_owner_addresses_as_text(world: HostileWorld) -> None:
    assert_plain(page(world.ana, "views/history.py"), *CORPUS.values())
    assert_plain(page(world.analyst, "views/history.py"), PHISHER)


def test_compare_shows_another_persons_address_and_filename_as_text(world: HostileWorld) -> None:
    app = page(world.ana, "views/compare.py", ids=f"{world.readings[0]},{world.shared}")
    assert app.get("plotly_chart")  # the comparison is drawn
    assert_plain(
        app,
        f"shared by {PHISHER}",
        f"{PHISHER} · earth hand · {CORPUS['image']}",
        f"({PHISHER}) beside",
        f"→ {IMG_MAIL}",
    )


def test_admin_shows_addresses_audit_entries_and_its_notice_as_text(world: HostileWorld) -> None:
    app = page(world.admin, "views/admin.py")
    assert_plain(app, PHISHER, IMG_MAIL, CORPUS["script"])
    app.selectbox(key="admin_role_email").set_value(PHISHER)
    app.selectbox(key="admin_role_value").set_value("analyst")
    next(b for b in app.button if b.label == "Change role").click().run()
    assert_plain(app, f"{PHISHER} is now analyst.")
