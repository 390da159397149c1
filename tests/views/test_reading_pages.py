"""Analyze → worker → Reading → My readings, through AppTest and a real burst worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from streamlit.testing.v1 import AppTest

from palm.db import transaction
from palm.infra import BlobStore, load_cipher
from palm.models import Reading
from palm.settings import PROJECT_ROOT, Settings
from palm.ui.auth import USER_KEY
from palm.vision import FAINT_CONFIDENCE
from palm.vocabulary import Role
from tests.explore.data import LineSpec, ReadingSpec, add_reading
from tests.support.stub_openai import Step, StubOpenAI
from tests.views.conftest import AppFactory, make_user
from tests.workers.burst import run_burst_worker

PALM = PROJECT_ROOT / "tests" / "data" / "palms" / "palm_f_hanging.jpg"


def upload_and_submit(app: AppTest) -> AppTest:
    app.switch_page("views/analyze.py").run()
    app.file_uploader(key="analyze_uploads_0").set_value(
        [
            ("palm.jpg", PALM.read_bytes(), "image/jpeg"),
            ("notes.jpg", b"not a photo at all", "image/jpeg"),
        ]
    )
    app.run()
    return app.button(key="analyze_submit").click().run()


def finished_reading(app_as: AppFactory, app_env: dict[str, str]) -> tuple[AppTest, int]:
    app = upload_and_submit(app_as(Role.USER).run())
    result = run_burst_worker(
        app_env["REDIS_URL"], app_env["DATABASE_URL"], Path(app_env["PALM_DATA_DIR"])
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return app, 1


def subheaders(app: AppTest) -> list[str]:
    return [header.value for header in app.subheader]


def test_analyze_page_queues_the_batch_and_shows_progress(
    app_as: AppFactory, app_env: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    app = upload_and_submit(app_as(Role.USER).run())
    assert not app.exception
    assert subheaders(app) == ["Not sent: 1 file", "Your photos: 0 of 1 finished"]
    assert any("UNSUPPORTED\\_FORMAT" in caption.value for caption in app.caption)
    with transaction(session_factory) as session:
        rows = session.execute(select(Reading.filename, Reading.status).order_by(Reading.id))
        assert [tuple(row) for row in rows] == [("palm.jpg", "queued")]
    run_burst_worker(app_env["REDIS_URL"], app_env["DATABASE_URL"], Path(app_env["PALM_DATA_DIR"]))
    app.run()
    assert "Your photos: 1 of 1 finished" in subheaders(app)


def test_reading_page_shows_overlay_and_a_card_per_type(
    app_as: AppFactory, app_env: dict[str, str]
) -> None:
    app, reading_id = finished_reading(app_as, app_env)
    app.query_params["id"] = str(reading_id)
    app.switch_page("views/reading.py").run()
    assert not app.exception and not app.error
    assert len(app.get("plotly_chart")) == 1
    assert {"Your hand"} < set(subheaders(app))
    assert len(subheaders(app)) == 1 + 5  # hand summary + life, love, career, health, head
    assert any("entertainment" in caption.value.lower() for caption in app.caption)


def test_a_reading_whose_annotated_photo_is_gone_says_so_instead_of_a_dead_download(
    app_as: AppFactory, app_env: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    app, reading_id = finished_reading(app_as, app_env)
    with transaction(session_factory) as session:
        key = session.get_one(Reading, reading_id).overlay_key
    settings = Settings(palm_data_dir=Path(app_env["PALM_DATA_DIR"]), redis_url=None)
    assert key is not None
    BlobStore(Path(app_env["PALM_DATA_DIR"]) / "images", load_cipher(settings)).delete(key)
    app.query_params["id"] = str(reading_id)
    app.switch_page("views/reading.py").run()
    assert not app.exception
    assert any("no longer stored" in warning.value for warning in app.warning)
    assert not [b for b in app.get("download_button") if "annotated" in str(b.proto.label)]


def test_another_users_reading_id_is_not_found(
    app_as: AppFactory, app_env: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    _app, reading_id = finished_reading(app_as, app_env)
    stranger = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    stranger.session_state["auth_user_id"] = make_user(
        session_factory, "eve@example.com", Role.USER
    )
    stranger.query_params["id"] = str(reading_id)
    stranger.run()
    stranger.switch_page("views/reading.py").run()
    assert not stranger.exception
    assert not stranger.get("plotly_chart")
    assert any("does not exist or is not yours" in info.value for info in stranger.info)


def test_my_readings_lists_and_deletes(
    app_as: AppFactory, app_env: dict[str, str], session_factory: sessionmaker[Session]
) -> None:
    app, _ = finished_reading(app_as, app_env)
    app.switch_page("views/readings.py").run()
    assert not app.exception
    assert len(app.main.get("popover")) == 1  # the refused file never became a reading
    app.button(key="delete_1").click().run()
    assert not app.exception
    with transaction(session_factory) as session:
        assert session.scalars(select(Reading.id)).all() == []
    assert not app.run().main.get("popover")


def test_my_readings_empty_state_points_to_analyze(app_as: AppFactory) -> None:
    app = app_as(Role.USER).run()
    app.switch_page("views/readings.py").run()
    assert any("No readings yet" in info.value for info in app.info)


def test_a_reading_the_ai_reader_could_not_write_says_why(
    app_as: AppFactory,
    app_env: dict[str, str],
    stub: StubOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stub.then(*[Step(status=429, headers={"retry-after-ms": "10"})] * 15)  # 3 tries × 5 types
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    app = upload_and_submit(app_as(Role.USER).run())
    result = run_burst_worker(
        app_env["REDIS_URL"],
        app_env["DATABASE_URL"],
        Path(app_env["PALM_DATA_DIR"]),
        keep_llm_env=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    app.query_params["id"] = "1"
    app.switch_page("views/reading.py").run()
    said = [caption.value.replace("\\", "") for caption in app.caption]  # markdown-escaped
    busy = "The AI reader was busy, so the built-in reader wrote this one (LLM_RATE_LIMITED)."
    assert said.count(busy) == 5, said


def test_a_line_found_on_thin_evidence_is_called_faint(
    app_as: AppFactory, session_factory: sessionmaker[Session]
) -> None:
    app = app_as(Role.USER).run()
    spec = ReadingSpec(
        int(app.session_state[USER_KEY]),
        lines={
            "heart": LineSpec(confidence=0.95),
            "head": LineSpec(confidence=FAINT_CONFIDENCE - 0.1),
            "fate": LineSpec(found=False),
        },
    )
    with transaction(session_factory) as session:
        reading_id = add_reading(session, spec)
    app.query_params["id"] = str(reading_id)
    app.switch_page("views/reading.py").run()
    assert not app.exception
    table = next(frame.value for frame in app.dataframe if "Found" in frame.value.columns)
    found = dict(zip(table["Line"], table["Found"], strict=True))
    assert (found["Heart line"], found["Head line"], found["Fate line"]) == ("yes", "faint", "no")
