"""Palmline on more than one machine: two RQ worker processes, each in its own working and
data directory, sharing only the database, Redis and the S3 bucket (a real moto server),
read one batch together; the UI process, with a data directory of its own, shows every
reading with its thumbnail and overlay (AppTest of the pages the person opens)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import streamlit as st
from cryptography.fernet import Fernet
from redis import Redis
from rq import Worker
from rq.job import Job as RQJob
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from palm import readings
from palm.accounts import create_user
from palm.db import transaction
from palm.jobs import QUEUE_NAMES
from palm.models import Job, Reading
from palm.readings import Upload, submit_batch
from palm.runtime import Runtime, get_runtime, reset_runtime
from palm.settings import PROJECT_ROOT, get_settings
from palm.ui.auth import USER_KEY
from palm.vocabulary import Role
from tests.support.object_store import ObjectStore
from tests.support.photos import LIMITS, photo
from tests.workers.burst import RQ

MACHINES = ("machine-a", "machine-b")
PHOTOS = ("palm_f_hanging.jpg", "palm_m_hanging.jpg", "palm_left_dark_sideways.jpg")


@pytest.fixture
def shared(
    app_env: dict[str, str], object_store: ObjectStore, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """What every process shares: the database, Redis, the bucket and the keys (each
    machine's data directory would otherwise make a development key of its own)."""
    env = {
        "DATABASE_URL": app_env["DATABASE_URL"],
        "REDIS_URL": app_env["REDIS_URL"],
        "PALM_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        **object_store.env,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    reset_runtime()
    yield env
    reset_runtime()


def start_machine(name: str, root: Path, shared: dict[str, str]) -> subprocess.Popen[bytes]:
    """A worker as another machine runs it: its own working and data directory."""
    home = root / name
    home.mkdir(parents=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PALM_")}
    env = {**env, **shared, "PALM_DATA_DIR": str(home / "data")}
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        env.pop(key, None)
    command = [str(RQ), "worker", "--url", shared["REDIS_URL"], "--name", name]
    command += ["--path", str(PROJECT_ROOT), "-w", "workers.worker.PalmWorker", *QUEUE_NAMES]
    return subprocess.Popen(
        command, env=env, cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} not after {timeout} s"
        time.sleep(0.1)


def listening(redis: Redis) -> set[str]:
    return {str(worker.name) for worker in Worker.all(connection=redis)}


def finished(runtime: Runtime, ids: list[int]) -> bool:
    with transaction(runtime.session_factory) as session:
        states = session.scalars(select(Reading.status).where(Reading.id.in_(ids))).all()
    return all(state in ("done", "failed") for state in states)


def who_ran(runtime: Runtime, redis: Redis) -> set[str]:
    with transaction(runtime.session_factory) as session:
        rq_ids = session.scalars(select(Job.rq_id)).all()
    return {str(RQJob.fetch(rq_id, connection=redis).worker_name) for rq_id in rq_ids}


def page(user_id: int, script: str, **query: str) -> AppTest:
    app = AppTest.from_file(str(PROJECT_ROOT / "app.py"), default_timeout=30)
    app.session_state[USER_KEY] = user_id
    app.run()
    app.query_params.update(query)
    return app.switch_page(script).run()


def test_two_worker_machines_read_one_batch_and_the_ui_shows_every_reading(
    shared: dict[str, str], object_store: ObjectStore, tmp_path: Path
) -> None:
    runtime = get_runtime()
    redis, queues = runtime.redis, runtime.queues
    assert redis is not None and queues is not None
    machines = [start_machine(name, tmp_path / "machines", shared) for name in MACHINES]
    try:
        wait_for(lambda: set(MACHINES) <= listening(redis), 60, "both workers listening")
        with transaction(runtime.session_factory) as session:
            user_id = create_user(session, "ana@example.com", "correct horse battery", Role.USER).id
        batch = submit_batch(
            runtime.session_factory,
            queues,
            runtime.blob_store,
            user_id=user_id,
            uploads=[Upload(f"{n}-{name}", photo(name)) for n, name in enumerate(PHOTOS * 2)],
            analysis_types=["full"],
            limits=replace(LIMITS, max_files=6),
        )
        wait_for(lambda: finished(runtime, batch.reading_ids), 40, "the batch")
    finally:
        for machine in machines:
            machine.send_signal(signal.SIGTERM)
        for machine in machines:
            machine.wait(timeout=30)
    assert who_ran(runtime, redis) == set(MACHINES)  # both machines took photos
    assert not any((tmp_path / "machines" / name / "data" / "images").exists() for name in MACHINES)
    assert len(object_store.object_names()) == 3 + 3 + 6  # photos, their thumbnails, overlays
    with transaction(runtime.session_factory) as session:
        rows = readings.list_readings(session, user_id, limit=20)
    assert [row.status for row in rows] == ["done"] * 6

    listing = page(user_id, "views/readings.py")
    assert not listing.exception and len(listing.get("image")) == 6  # a thumbnail per reading
    for row in rows:
        st.cache_data.clear()
        reading = page(user_id, "views/reading.py", id=str(row.id))
        assert not reading.exception and not reading.error
        assert len(reading.get("plotly_chart")) == 1  # the photo with its lines
        labels = [getattr(button, "label", "") for button in reading.get("download_button")]
        assert "Download the annotated photo (PNG)" in labels  # the overlay, from the bucket
