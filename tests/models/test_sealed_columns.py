"""Sealed columns: the database holds Fernet tokens for what describes a person, the code
sees plain values, and SQL on a sealed column is refused rather than silently wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from redis import Redis
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from palm.db import NoCipherError, make_engine, make_session_factory, transaction
from palm.infra import BlobStore
from palm.jobs import Queues
from palm.models import Interpretation, LineResult, Reading, UnreadableDataError
from palm.readings import Upload, run_analysis, submit_batch
from palm.settings import Settings
from tests.support.photos import LIMITS, photo

FILENAME = "ana-lopez-left-palm.jpg"


def analysed(
    factory: sessionmaker[Session], redis: Redis, store: BlobStore, user_id: int, tmp_path: Path
) -> int:
    """A reading written the way a worker writes one: a real photo through the real engine."""
    batch = submit_batch(
        factory,
        Queues(redis),
        store,
        user_id=user_id,
        uploads=[Upload(FILENAME, photo("palm_f_hanging.jpg"))],
        analysis_types=["life", "love"],
        limits=LIMITS,
    )
    reading_id = batch.reading_ids[0]
    settings = Settings(palm_data_dir=tmp_path, redis_url=None)
    run_analysis(factory, store, redis, None, settings, reading_id, lambda *_: None)
    return reading_id


def raw(engine: Engine, sql: str, reading_id: int) -> list[str]:
    """Every value the query returns for the reading, as the database stores it."""
    with engine.connect() as connection:
        rows = connection.execute(text(sql), {"id": reading_id}).all()
    return [str(value) for row in rows for value in row]


def test_a_finished_reading_is_ciphertext_in_the_database_and_plain_in_code(
    engine: Engine,
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account,
    tmp_path: Path,
) -> None:
    reading_id = analysed(
        session_factory, redis_client, store, make_account("ana@example.com"), tmp_path
    )
    with transaction(session_factory) as session:
        reading = session.get_one(Reading, reading_id)
        assert reading.status == "done", reading.error_message
        plain = {
            "filename": reading.filename,
            "summary": reading.summary or "",
            "landmarks": json.dumps(reading.analysis["landmarks"][0]),  # type: ignore[index]
        }
        lines = session.scalars(select(LineResult).where(LineResult.reading_id == reading_id))
        courses = [json.dumps(line.polyline[0]) for line in lines if line.polyline]
        texts = list(
            session.scalars(
                select(Interpretation.text).where(Interpretation.reading_id == reading_id)
            )
        )
    assert plain["filename"] == FILENAME and "hand" in plain["summary"] and courses and texts
    stored = [
        *raw(engine, "SELECT filename, summary, analysis FROM readings WHERE id = :id", reading_id),
        *raw(engine, "SELECT polyline FROM line_results WHERE reading_id = :id", reading_id),
        *raw(
            engine, "SELECT text, per_line FROM interpretations WHERE reading_id = :id", reading_id
        ),
    ]
    assert stored and all(value.startswith("gAAAAA") for value in stored)
    everything = " ".join(stored)
    for secret in [*plain.values(), *courses, *texts, "ana-lopez", "landmarks", "Left hand"]:
        assert secret not in everything
    metrics = raw(
        engine, "SELECT length_rel, confidence FROM line_results WHERE reading_id = :id", reading_id
    )
    assert all(float(value) >= 0 for value in metrics)  # what the trends sum stays plain


def test_sql_cannot_filter_or_sort_on_a_sealed_column() -> None:
    with pytest.raises(TypeError, match="encrypted"):
        select(Reading).where(Reading.filename == FILENAME)
    with pytest.raises(TypeError, match="encrypted"):
        select(Interpretation).where(Interpretation.text.icontains("love"))
    with pytest.raises(TypeError, match="encrypted"):
        select(Reading).order_by(Reading.summary.desc())
    assert "IS NULL" in str(select(Reading.id).where(Reading.analysis.is_(None)))


def test_an_engine_without_keys_refuses_sealed_columns_with_a_code(
    db_url: str, session_factory: sessionmaker[Session], make_account
) -> None:
    user_id = make_account("ana@example.com")
    with transaction(session_factory) as session:
        session.add(Reading(user_id=user_id, batch_id="b", filename=FILENAME))
    keyless = make_engine(db_url)
    with pytest.raises(NoCipherError) as raised, make_session_factory(keyless)() as session:
        session.scalars(select(Reading)).all()
    assert raised.value.code == "NO_CIPHER"
    keyless.dispose()


def test_rows_sealed_under_a_key_no_longer_configured_are_a_coded_error(
    db_url: str, session_factory: sessionmaker[Session], make_account
) -> None:
    user_id = make_account("ana@example.com")
    with transaction(session_factory) as session:
        session.add(Reading(user_id=user_id, batch_id="b", filename=FILENAME))
    stranger = make_engine(db_url, cipher=MultiFernet([Fernet(Fernet.generate_key())]))
    with pytest.raises(UnreadableDataError) as raised, make_session_factory(stranger)() as session:
        session.scalars(select(Reading.filename)).all()
    assert raised.value.code == "UNREADABLE_DATA"
    stranger.dispose()
