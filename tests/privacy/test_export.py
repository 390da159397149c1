"""Export my data: one job however often it is asked for, a zip holding everything with the
photos decrypted, kept sealed for 24 hours, audited; an account deleted meanwhile gets none."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from palm import accounts, chat
from palm.db import transaction
from palm.jobs import export_policy
from palm.models import AuditEvent, Job
from palm.privacy import (
    EXPORT_SECONDS,
    export_status,
    fetch_export,
    request_export,
    run_export,
)
from palm.readings import Upload, run_analysis, submit_batch
from palm.runtime import Runtime, get_runtime
from palm.vocabulary import JobFailure, JobState, Role
from tests.support.photos import LIMITS, photo

PASSWORD = "correct horse battery"


@pytest.fixture
def runtime(app_env: dict[str, str]) -> Iterator[Runtime]:  # noqa: ARG001  (its settings)
    yield get_runtime()


@pytest.fixture
def ana(runtime: Runtime) -> int:
    assert runtime.queues is not None
    with transaction(runtime.session_factory) as session:
        user_id = accounts.create_user(session, "ana@example.com", PASSWORD, Role.USER).id
        accounts.update_profile(session, user_id, display_name="Ana", hand="left")
    batch = submit_batch(
        runtime.session_factory,
        runtime.queues,
        runtime.blob_store,
        user_id=user_id,
        uploads=[Upload("my palm [1].jpg", photo("palm_f_hanging.jpg"))],
        analysis_types=["love"],
        limits=LIMITS,
    )
    reading_id = batch.reading_ids[0]
    run_analysis(
        runtime.session_factory,
        runtime.blob_store,
        runtime.redis,
        None,
        runtime.settings,
        reading_id,
        lambda *_: None,
    )
    with transaction(runtime.session_factory) as session:
        chat.create_conversation(
            session, runtime.cipher, user_id, reading_id=reading_id, title="Love?"
        )
    return user_id


def request(runtime: Runtime, user_id: int) -> str:
    assert runtime.queues is not None
    return request_export(
        runtime.session_factory,
        runtime.queues,
        user_id=user_id,
        policy=export_policy(runtime.settings),
    )


def test_asking_twice_makes_one_job(runtime: Runtime, ana: int) -> None:
    first, second = request(runtime, ana), request(runtime, ana)
    assert first == second
    with transaction(runtime.session_factory) as session:
        exports = select(func.count()).select_from(Job).where(Job.kind == "export")
        assert session.scalar(exports) == 1
        assert runtime.redis is not None
        assert export_status(session, runtime.redis, ana).busy


def test_the_zip_holds_everything_readable_and_is_kept_sealed_for_a_day(
    runtime: Runtime, ana: int, capsys: pytest.CaptureFixture[str]
) -> None:
    redis = runtime.redis
    assert redis is not None
    request(runtime, ana)
    size = run_export(runtime.session_factory, redis, runtime.blob_store, runtime.cipher, ana)
    data = fetch_export(redis, runtime.cipher, ana)
    assert data is not None and len(data) == size
    assert b"PK" not in (redis.get(f"palm:export:data:{ana}") or b"")[:4]  # sealed in Redis
    assert EXPORT_SECONDS - 5 < redis.ttl(f"palm:export:data:{ana}") <= EXPORT_SECONDS
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(archive.namelist())
    with capsys.disabled():
        print("\nexport zip:", *names, sep="\n  ")
    assert {"README.txt", "readings.json", "readings.csv", "profile.json", "shares.json"} <= set(
        names
    )
    assert "activity.json" in names
    assert [n for n in names if n.startswith("chat/")] == ["chat/1.json", "chat/1.md"]
    photo_name = next(n for n in names if n.startswith("photos/"))
    assert photo_name == "photos/1-my_palm_1_.jpg"
    assert archive.read(photo_name) == photo("palm_f_hanging.jpg")  # decrypted
    assert archive.read("overlays/1.png").startswith(b"\x89PNG")
    readings = json.loads(archive.read("readings.json"))
    assert readings[0]["filename"] == "my palm [1].jpg"
    assert {line["line"] for line in readings[0]["lines"]} >= {"heart", "head", "life"}
    assert readings[0]["interpretations"][0]["analysis_type"] == "love"
    csv_lines = archive.read("readings.csv").decode().splitlines()
    assert csv_lines[0].startswith("id,created_at") and len(csv_lines) == 1 + 6  # six lines
    profile = json.loads(archive.read("profile.json"))
    assert (profile["display_name"], profile["dominant_hand"]) == ("Ana", "left")
    assert profile["preferences"]["tone"] == "warm"
    actions = [event["action"] for event in json.loads(archive.read("activity.json"))]
    assert "export_requested" in actions
    with transaction(runtime.session_factory) as session:
        audited = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert audited[-2:] == ["export_requested", "export_ready"]
        status = export_status(session, redis, ana)
    assert status.ready
    assert request(runtime, ana)  # ready: the same export, no new job


def test_an_account_deleted_while_its_export_runs_gets_no_zip(runtime: Runtime, ana: int) -> None:
    redis = runtime.redis
    assert redis is not None
    with transaction(runtime.session_factory) as session:
        session.delete(accounts.get_user(session, ana))
    assert run_export(runtime.session_factory, redis, runtime.blob_store, runtime.cipher, ana) == 0
    assert fetch_export(redis, runtime.cipher, ana) is None


def test_a_crashed_export_tells_the_person_nothing_of_the_code(runtime: Runtime, ana: int) -> None:
    rq_id = request(runtime, ana)
    with transaction(runtime.session_factory) as session:
        job = session.scalars(select(Job).where(Job.rq_id == rq_id)).one()
        job.state, job.error_code = JobState.FAILED, JobFailure.JOB_ERROR
        job.error = "KeyError: 'photos'\nat palm/privacy/export.py:120"
    with transaction(runtime.session_factory) as session:
        assert runtime.redis is not None
        told = export_status(session, runtime.redis, ana).error
    assert told == "something went wrong on our side"
