"""Compare page through AppTest: from the table's ids, quick picks, sharing and revoking."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.db import transaction
from palm.settings import PROJECT_ROOT
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days
from tests.views.conftest import AppFactory, make_user

PAGE = "views/compare.py"


def seed(factory: sessionmaker[Session], *specs: ReadingSpec) -> list[int]:
    with transaction(factory) as session:
        return [add_reading(session, spec) for spec in specs]


def open_compare(app: AppTest, ids: list[int] | None = None) -> AppTest:
    if ids:
        app.query_params["ids"] = ",".join(map(str, ids))
    app.run()
    return app.switch_page(PAGE).run()


def test_ids_from_the_table_show_overlays_diffs_radar_and_narrative(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER)
    me = app.session_state[USER_KEY]
    ids = seed(
        session_factory,
        ReadingSpec(me, lines={"heart": LineSpec(length_rel=0.6), "head": LineSpec()}),
        ReadingSpec(
            me,
            created_at=BASE_TIME + days(90),
            lines={"heart": LineSpec(length_rel=0.9), "head": LineSpec()},
        ),
    )
    open_compare(app, ids)
    assert not app.exception and not app.error
    assert app.multiselect(key="compare_pick").value == ids
    assert len(app.get("plotly_chart")) == 3  # two overlays and the radar
    diffs = app.dataframe[0].value
    heart = diffs[(diffs["line"] == "heart") & (diffs["metric"] == "Length (palm widths)")]
    assert heart.iloc[0, -1] == "▲ +0.30"
    assert any("The heart line grew longer" in text.value for text in app.markdown)


def test_quick_pick_first_vs_latest(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER)
    me = app.session_state[USER_KEY]
    first, _, latest = seed(
        session_factory,
        ReadingSpec(me, created_at=BASE_TIME - days(10)),
        ReadingSpec(me, created_at=BASE_TIME - days(5)),
        ReadingSpec(me),
    )
    open_compare(app)
    assert any("Pick two to four" in info.value for info in app.info)
    assert app.button(key="compare_sides").disabled  # only left hands so far
    app.button(key="compare_span").click().run()
    assert app.multiselect(key="compare_pick").value == [first, latest]
    assert len(app.get("plotly_chart")) == 3


def test_share_compare_then_revoke(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    owner = app_as(Role.USER)
    ben = owner.session_state[USER_KEY]
    ana = make_user(session_factory, "ana@example.com", Role.USER)
    theirs, mine = seed(session_factory, ReadingSpec(ben, hand="right"), ReadingSpec(ana))
    open_compare(owner)
    owner.text_input(key="compare_share_email").set_value("nobody@example.com")
    next(b for b in owner.button if b.label == "Share").click().run()
    unknown = [s.value for s in owner.success]
    owner.text_input(key="compare_share_email").set_value("ana@example.com")
    next(b for b in owner.button if b.label == "Share").click().run()
    known = [s.value for s in owner.success]
    assert [text.replace("nobody", "ana") for text in unknown] == known  # no account hint

    friend = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    friend.session_state[USER_KEY] = ana
    friend.run()
    assert [t.value.count("shared a reading with you") for t in friend.toast] == [1]
    friend.run()
    assert not friend.toast  # told once
    open_compare(friend, [mine, theirs])
    assert not friend.warning and friend.metric[0].value == "100/100"
    assert any("shared by" in option for option in friend.multiselect(key="compare_pick").options)

    owner.run()
    next(b for b in owner.button if b.label == "Revoke").click().run()
    friend.run()
    assert not any(
        "shared by" in option for option in friend.multiselect(key="compare_pick").options
    )
    assert not friend.get("metric") and not friend.get("plotly_chart")
    assert any("Comparing needs two finished readings" in info.value for info in friend.info)
