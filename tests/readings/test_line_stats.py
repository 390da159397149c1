"""Each reading's row carries its line summary (lines_found, mean_confidence) exactly as the
aggregates of its line rows give it: after an analysis, after a retried one that replaced the
rows, for readings without lines, and after migration 0016 filled it for existing readings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from alembic import command
from cryptography.fernet import MultiFernet
from redis import Redis
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra.storage import BlobStore
from palm.jobs import Queues
from palm.migrate import alembic_config
from palm.models import LineResult, Reading
from palm.readings import Upload, run_analysis, submit_batch
from palm.readings import store as readings
from palm.settings import Settings
from tests.explore.data import LineSpec, ReadingSpec, add_reading
from tests.support.photos import LIMITS, photo


def summaries(session: Session) -> dict[int, tuple[int, float | None]]:
    return {r.id: (r.lines_found, r.mean_confidence) for r in session.scalars(select(Reading))}


def aggregated(session: Session) -> dict[int, tuple[int, float | None]]:
    """The summary the line rows give (what History pages computed per reading before)."""
    found = (LineResult.reading_id == Reading.id, LineResult.found.is_(True))
    count = select(func.count()).where(*found).scalar_subquery()
    mean = select(func.avg(LineResult.confidence)).where(*found).scalar_subquery()
    return {i: (int(n), m) for i, n, m in session.execute(select(Reading.id, count, mean))}


def test_a_readings_line_summary_follows_its_line_rows(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[..., int],
    tmp_path: Any,
    engine: Engine,
    db_url: str,
    cipher: MultiFernet,
) -> None:
    owner = make_account("lines@example.com")
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=owner,
        uploads=[
            Upload("palm.jpg", photo("palm_f_hanging.jpg")),
            Upload("queued.jpg", photo("palm_m_hanging.jpg")),
        ],
        analysis_types=["life"],
        limits=LIMITS,
    )
    analysed, queued = batch.reading_ids
    settings = Settings(palm_data_dir=tmp_path, redis_url=None)
    for _ in range(2):  # the second run replaces the first attempt's line rows
        with transaction(session_factory) as session:
            readings.mark_running(session, analysed)
        run_analysis(
            session_factory, store, redis_client, None, settings, analysed, lambda *_: None
        )
    with transaction(session_factory) as session:
        lines = {"heart": LineSpec(confidence=0.25), "head": LineSpec(confidence=0.5)}
        lines["fate"] = LineSpec(found=False, confidence=0.9)  # not found: not in the mean
        synthetic = add_reading(session, ReadingSpec(owner, lines=lines))
        kept = summaries(session)
        assert kept == aggregated(session)
    assert kept[analysed][0] >= 3 and kept[analysed][1] is not None
    assert kept[queued] == (0, None)
    assert kept[synthetic] == (2, 0.375)
    engine.dispose()
    command.downgrade(alembic_config(db_url, cipher), "0015_webhook_rotation")
    command.upgrade(alembic_config(db_url, cipher), "head")
    with transaction(session_factory) as session:
        assert summaries(session) == kept  # the migration fills existing readings alike
