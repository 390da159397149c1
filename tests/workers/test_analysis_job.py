"""Photos go through the real queue and a real worker: readings end done or with a coded error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import users
from palm.db import transaction
from palm.infra.crypto import load_cipher
from palm.infra.storage import BlobStore
from palm.jobs import ANALYSIS_QUEUE, JobSpec, Queues, recover_abandoned_jobs, submit
from palm.models import Image, Interpretation, Job, LineResult, Reading, UsageRecord
from palm.readings import BatchLimits, Upload, submit_batch
from palm.readings import store as readings
from palm.readings.operations import remove_reading
from palm.settings import PROJECT_ROOT, Settings
from palm.vocabulary import Role
from tests.support.jobs import policy
from tests.workers.burst import run_burst_worker

PALMS = PROJECT_ROOT / "tests" / "data" / "palms"
LIMITS = BatchLimits(max_files=20, max_bytes=20 * 1024 * 1024, policy=policy())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> BlobStore:
    """The same store (directory and dev key) the worker process will open."""
    return BlobStore(data_dir / "images", load_cipher(Settings(palm_data_dir=data_dir)))


@pytest.fixture
def user_id(session_factory: sessionmaker[Session]) -> int:
    with transaction(session_factory) as session:
        user = users.create_user(session, "ana@example.com", "correct horse battery", Role.USER)
    return user.id


def reading_state(factory: sessionmaker[Session], reading_id: int) -> tuple[str, str | None]:
    with transaction(factory) as session:
        reading = session.get_one(Reading, reading_id)
        return reading.status, reading.error_code


def test_a_mixed_batch_ends_with_readings_and_coded_failures(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    store: BlobStore,
    data_dir: Path,
    user_id: int,
) -> None:
    uploads = [
        Upload("palm.jpg", (PALMS / "palm_f_hanging.jpg").read_bytes()),
        Upload("notes.txt", b"hello"),
        Upload("back.jpg", (PALMS / "back_f_hanging.jpg").read_bytes()),
    ]
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user_id,
        uploads=uploads,
        analysis_types=["full"],
        limits=LIMITS,
    )
    result = run_burst_worker(redis_url, db_url, data_dir)
    assert result.returncode == 0, result.stderr[-2000:]
    with transaction(session_factory) as session:
        items = readings.batch_progress(session, user_id, batch.batch_id)
        assert [(i.filename, i.status, i.error_code) for i in items] == [
            ("palm.jpg", "done", None),
            ("back.jpg", "failed", "BACK_OF_HAND"),
        ]  # notes.txt was refused at the door: no row
        assert "back of" in (items[1].message or "").lower()
        refused = session.get_one(Reading, items[1].reading_id)
        assert refused.image_id is None  # the refused photo is not kept
        assert session.scalar(select(func.count()).select_from(Image)) == 1
        done = session.get_one(Reading, items[0].reading_id)
        found = set(
            session.scalars(
                select(LineResult.line).where(LineResult.reading_id == done.id, LineResult.found)
            )
        )
        kinds = session.scalars(
            select(Interpretation.analysis_type).where(Interpretation.reading_id == done.id)
        ).all()
        image = session.get_one(Image, done.image_id)
        states = session.scalars(select(Job.state).order_by(Job.id)).all()
        usage = session.scalar(select(func.count()).select_from(UsageRecord))
    assert {"heart", "head", "life"} <= found
    assert sorted(kinds) == ["career", "head", "health", "life", "love"]
    assert (done.engine, done.status) == ("offline", "done")
    assert done.hand in ("left", "right")
    assert done.overlay_key and store.get(done.overlay_key)[:3] == b"\xff\xd8\xff"  # JPEG
    assert image.thumbnail_key and store.get(image.thumbnail_key)[8:12] == b"WEBP"
    assert store.count() == 3  # the good photo, its thumbnail and overlay; nothing of back.jpg
    assert states == ["finished", "refused"]  # the text file never reached the queue
    assert usage == 0  # the offline reader costs nothing and records nothing


def test_deleting_every_reading_leaves_no_files(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    store: BlobStore,
    data_dir: Path,
    user_id: int,
) -> None:
    data = (PALMS / "palm_m_hanging.jpg").read_bytes()
    submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user_id,
        uploads=[Upload("a.jpg", data), Upload("b.jpg", data)],
        analysis_types=["life"],
        limits=LIMITS,
    )
    run_burst_worker(redis_url, db_url, data_dir)
    assert store.count() == 4  # the photo (stored once), its thumbnail and two overlays
    with transaction(session_factory) as session:
        ids = session.scalars(select(Reading.id)).all()
    for reading_id in ids:
        remove_reading(session_factory, store, redis_client, user_id, reading_id)
    assert store.count() == 0


@pytest.mark.usefixtures("worker_env")
def test_a_killed_analysis_fails_its_reading_with_a_reason(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    data_dir: Path,
    user_id: int,
) -> None:
    with transaction(session_factory) as session:
        reading_id = readings.add_reading(
            session,
            user_id=user_id,
            batch_id="b",
            filename="a.jpg",
            hand_requested="auto",
            analysis_types=["life"],
            image_id=None,
        ).id
    spec = JobSpec(
        kind="analysis",
        func="tests.workers.crashing_jobs.kill_while_analysing",
        args=(reading_id,),
        queue=ANALYSIS_QUEUE,
        policy=policy(),
    )
    queues = Queues(redis_client)
    submit(session_factory, queues, spec, user_id=user_id, reading_id=reading_id)
    assert run_burst_worker(redis_url, db_url, data_dir).returncode == -9
    assert reading_state(session_factory, reading_id) == ("running", None)
    recover_abandoned_jobs(queues, at=time.time() + 24 * 3600)
    assert reading_state(session_factory, reading_id) == ("failed", "WORKER_DIED")
