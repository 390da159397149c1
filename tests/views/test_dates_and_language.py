"""The person's date format, time zone and language wherever a page shows a moment or a
reading's one-line summary: My readings, Home, a reading, chat search, shares, History;
and a comparison joins their activity once, however often the page reruns."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm import accounts, chat, explore, privacy
from palm.db import transaction
from palm.runtime import get_runtime
from palm.ui.auth import USER_KEY
from palm.vocabulary import Language, Role
from tests.explore.data import LineSpec, ReadingSpec, add_reading
from tests.views.conftest import AppFactory, make_user

MOMENT = datetime(2026, 3, 31, 20, 30, tzinfo=UTC)  # already 1 April in Tokyo
TOKYO = "01/04/2026 05:30"
SPANISH = "Mano izquierda, forma tierra; líneas: corazón, vida."
DAY_FIRST = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


def spanish_tokyo(factory: sessionmaker[Session], user_id: int) -> None:
    prefs = accounts.ReadingPreferences(
        language=Language.SPANISH, date_format="%d/%m/%Y %H:%M", time_zone="Asia/Tokyo"
    )
    with transaction(factory) as session:
        accounts.save_preferences(session, user_id, prefs)


def a_reading(factory: sessionmaker[Session], user_id: int) -> int:
    spec = ReadingSpec(
        user_id,
        created_at=MOMENT,
        lines={"heart": LineSpec(), "life": LineSpec(), "fate": LineSpec(found=False)},
    )
    with transaction(factory) as session:
        return add_reading(session, spec)


def person(app_as: AppFactory, factory: sessionmaker[Session]) -> tuple[AppTest, int, int]:
    app = app_as(Role.USER)
    me = int(app.session_state[USER_KEY])
    spanish_tokyo(factory, me)
    return app, me, a_reading(factory, me)


def texts(app: AppTest) -> list[str]:
    """Every text on the page as a person reads it (without the escapes that keep it plain)."""
    shown = [
        *(item.value for item in app.markdown),
        *(item.value for item in app.caption),
        *(str(getattr(item, "value", "")) for item in app.get("text")),
        *(str(getattr(item, "value", "")) for item in app.get("alert")),
    ]
    return [text.replace("\\", "") for text in shown]


def test_my_readings_home_and_a_reading_use_the_persons_zone_format_and_language(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _, reading_id = person(app_as, session_factory)
    app.run().switch_page("views/readings.py").run()
    assert not app.exception and not app.error
    assert any(TOKYO in text and "UTC" not in text for text in texts(app))
    assert SPANISH in texts(app)

    app.switch_page("views/home.py").run()
    assert not app.exception
    assert TOKYO in texts(app)
    assert SPANISH in texts(app)

    app.query_params["id"] = str(reading_id)
    app.switch_page("views/reading.py").run()
    assert not app.exception
    assert any(text.startswith(f"{TOKYO} · read by") for text in texts(app))


def test_chat_search_and_shares_show_dates_the_persons_way(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, me, reading_id = person(app_as, session_factory)
    runtime = get_runtime()
    make_user(session_factory, "ben@example.com", Role.USER)
    with transaction(session_factory) as session:
        chat.create_conversation(session, runtime.cipher, me, title="Orchids and work")
    explore.share_reading(session_factory, runtime.redis, me, reading_id, "ben@example.com")

    app.run().switch_page("views/chat.py").run()
    app.text_input(key="chat_search_query").set_value("orchids").run()
    label = app.button(key="chat_hit_0").label
    assert DAY_FIRST.search(label.replace("\\", "")) and "UTC" not in label, label

    app.query_params["id"] = str(reading_id)
    app.switch_page("views/reading.py").run()
    since = [text for text in texts(app) if "since" in text]
    assert since and DAY_FIRST.search(since[0]), since


def test_the_history_table_shows_created_in_the_persons_zone_and_format(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, _, _ = person(app_as, session_factory)
    app.run().switch_page("views/history.py").run()
    assert not app.exception
    columns = json.loads(app.dataframe[0].proto.columns)
    assert columns["created"]["label"] == "Created (Asia/Tokyo)"
    assert columns["created"]["type_config"]["timezone"] == "Asia/Tokyo"
    assert columns["created"]["type_config"]["format"] == "DD/MM/YYYY HH:mm"


def test_a_comparison_joins_the_activity_once_however_often_the_page_reruns(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, me, first = person(app_as, session_factory)
    second = a_reading(session_factory, me)
    app.query_params["ids"] = f"{first},{second}"
    app.run().switch_page("views/compare.py").run()
    assert not app.exception and not app.error
    app.run()
    app.run()
    with transaction(session_factory) as session:
        page = privacy.activity(session, get_runtime().cipher, me, kinds={"comparison"})
    assert [item.text for item in page.items] == [f"Compared readings #{first} #{second}"]


TOKYO_DAY = "01/04/2026"  # the reading's day in Tokyo; in UTC it is still 31 Mar 2026
UTC_DAY = "31 Mar 2026"


def test_compact_day_labels_of_compare_shares_and_chat_use_the_persons_zone_and_format(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app, me, first = person(app_as, session_factory)
    second = a_reading(session_factory, me)
    runtime = get_runtime()
    make_user(session_factory, "ben@example.com", Role.USER)
    explore.share_reading(session_factory, runtime.redis, me, first, "ben@example.com")
    with transaction(session_factory) as session:
        thread = chat.create_conversation(session, runtime.cipher, me, reading_id=first).id

    app.query_params["ids"] = f"{first},{second}"
    app.run().switch_page("views/compare.py").run()
    assert not app.exception and not app.error
    picked = app.multiselect[0]
    labels = [picked.format_func(i) for i in picked.value]
    assert len(labels) == 2 and all(label.endswith(f" · {TOKYO_DAY}") for label in labels), labels
    story = " ".join(texts(app))
    assert f"From {TOKYO_DAY} to {TOKYO_DAY}:" in story
    assert UTC_DAY not in story
    diff_columns = list(app.dataframe[0].value.columns)
    assert f"#{first} Left · {TOKYO_DAY}" in diff_columns, diff_columns
    assert all(UTC_DAY not in str(column) for column in diff_columns)
    shares = [text for text in texts(app) if "since" in text]
    assert shares and TOKYO_DAY in shares[0] and UTC_DAY not in shares[0], shares

    app.query_params.clear()
    app.query_params["c"] = str(thread)
    app.switch_page("views/chat.py").run()
    assert not app.exception
    about = [text for text in texts(app) if text.startswith(":material/back_hand: About")]
    assert about and TOKYO_DAY in about[0] and UTC_DAY not in about[0], about
