"""History & trends page through AppTest: filters, table, pager, charts, scoping, empty state."""

from __future__ import annotations

from redis import Redis
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.db import transaction
from palm.explore.query import pseudonym
from palm.infra import invalidate_user
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, ReadingSpec, add_reading, days
from tests.views.conftest import AppFactory, make_user

PAGE = "views/history.py"


def seed(factory: sessionmaker[Session], user_id: int, count: int, **fields: object) -> list[int]:
    with transaction(factory) as session:
        return [
            add_reading(
                session,
                ReadingSpec(user_id, created_at=BASE_TIME - days(i % 7), **fields),  # type: ignore[arg-type]
            )
            for i in range(count)
        ]


def open_history(app: AppTest) -> AppTest:
    app.run()
    return app.switch_page(PAGE).run()


def table(app: AppTest):
    return app.dataframe[0].value


def test_user_sees_own_rows_filters_and_charts(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER)
    user_id = app.session_state["auth_user_id"]
    other = make_user(session_factory, "other@example.com", Role.USER)
    seed(session_factory, user_id, 3)
    seed(session_factory, user_id, 2, hand="right")
    seed(session_factory, other, 4)
    open_history(app)
    assert not app.exception and not app.error
    assert len(table(app)) == 5 and "owner" not in table(app).columns
    assert "5 matching readings" in [h.value for h in app.subheader]
    assert len(app.get("plotly_chart")) == 4  # metrics, per day, shapes, presence
    assert any("/export/history.csv?f=" in element.proto.body for element in app.get("html"))
    app.multiselect(key="history_hands").set_value(["right"]).run()
    assert set(table(app)["hand"]) == {"right"} and len(table(app)) == 2
    app.text_input(key="history_text").set_value("no such words").run()
    assert not app.dataframe
    assert any("No reading matches these filters" in i.value for i in app.info)


def test_analyst_sees_everyone_as_pseudonyms(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.ANALYST)
    ana = make_user(session_factory, "ana@example.com", Role.USER)
    seed(session_factory, ana, 2)
    seed(session_factory, app.session_state["auth_user_id"], 1)
    open_history(app)
    assert not app.exception
    owners = set(table(app)["owner"])
    assert "you" in owners and len(owners) == 2
    assert not any("@" in owner for owner in owners)
    assert {o for o in owners if o != "you"} == {o for o in owners if o.startswith("u-")}
    assert pseudonym(ana, b"") not in owners  # keyed by the deployment secret, not guessable


def test_pager_walks_keyset_pages(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER)
    seed(session_factory, app.session_state["auth_user_id"], 55)
    open_history(app)
    first = list(table(app)["id"])
    assert len(first) == 50
    app.button(key="history_next").click().run()
    second = list(table(app)["id"])
    assert len(second) == 5 and not set(first) & set(second)
    assert app.button(key="history_next").disabled
    app.button(key="history_prev").click().run()
    assert list(table(app)["id"]) == first


def test_new_reading_shows_on_the_next_run(
    app_as: AppFactory, session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    app = app_as(Role.USER)
    user_id = app.session_state["auth_user_id"]
    seed(session_factory, user_id, 1)
    open_history(app)
    assert len(table(app)) == 1
    seed(session_factory, user_id, 1)
    invalidate_user(redis_client, user_id)  # what the write paths do after commit
    app.run()
    assert len(table(app)) == 2


def test_empty_history_says_what_to_do(app_as: AppFactory) -> None:
    app = open_history(app_as(Role.USER))
    assert not app.exception
    assert any("Analyze" in info.value for info in app.info)
    assert not app.dataframe
