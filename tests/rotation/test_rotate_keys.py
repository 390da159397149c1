"""Key rotation: data written under key A still reads after `rotate-keys` with "B,A" and the
removal of A; an interrupted pass resumes; a finished one is not redone."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, MultiFernet
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm import chat
from palm.db import Base, make_engine, make_session_factory, transaction
from palm.explore import ExploreFilter, Explorer, Viewer
from palm.infra import BlobBackend, BlobMissingError, BlobStore
from palm.models import (
    Image,
    Interpretation,
    KeyRotation,
    LineResult,
    Reading,
    SealedJSON,
    SealedText,
    UnreadableDataError,
)
from palm.readers import Interpretation as CachedReply
from palm.readers import ResponseCache
from palm.rotation import KINDS, ColumnKind, RotationError, rotate_keys
from palm.settings import PROJECT_ROOT
from palm.vocabulary import AnalysisType, Role
from tests.chat.support import CONFIG, left_earth_hand

Blobs = Path | BlobBackend  # the folder, or any backend (tests over S3 pass the bucket's)
KEY_A, KEY_B = Fernet.generate_key().decode(), Fernet.generate_key().decode()
ONLY_A, ONLY_B = MultiFernet([Fernet(KEY_A)]), MultiFernet([Fernet(KEY_B)])
B_THEN_A = MultiFernet([Fernet(KEY_B), Fernet(KEY_A)])
ANALYSIS = left_earth_hand().to_dict()
REPLY_KEY = "palm:cache:llm:entry:" + "d" * 64 + ":love:m:p:s"
REPLY = CachedReply(
    analysis_type=AnalysisType.LOVE,
    title="Love",
    text="A warm heart.",
    per_line={"heart": "Long."},
    confidence=0.6,
    engine="llm:m",
)


@dataclass(frozen=True)
class Written:
    user_id: int
    thread_id: int
    blobs: dict[str, bytes]  # blob key → plain bytes
    messages: list[str]


def write_under_a(db_url: str, images: Blobs, redis: Redis, photos: int = 1) -> Written:
    """Photos (+ thumbnails, overlays), readings with lines and texts, a chat thread, a cached
    reply and a cached history page, all encrypted under key A only."""
    engine = make_engine(db_url, cipher=ONLY_A)
    factory = make_session_factory(engine)
    store = BlobStore(images, ONLY_A)
    blobs: dict[str, bytes] = {}

    def put(data: bytes) -> str:
        key = store.put(data)
        blobs[key] = data
        return key

    with transaction(factory) as session:
        user_id = chat_user(session)
        for n in range(photos):
            image = Image(
                user_id=user_id,
                sha256=f"{n:064d}",
                format="jpeg",
                byte_size=5,
                storage_key=put(f"photo {n}".encode()),
                thumbnail_key=put(f"thumb {n}".encode()),
            )
            session.add(image)
            session.flush()
            reading = Reading(
                user_id=user_id,
                image_id=image.id,
                batch_id="b",
                filename=f"ana-{n}.jpg",
                status="done",
                hand="left",
                summary=f"Left hand {n}",
                analysis=ANALYSIS,
                overlay_key=put(f"overlay {n}".encode()),
            )
            session.add(reading)
            session.flush()
            session.add(
                LineResult(reading_id=reading.id, line="heart", found=True, polyline=[[n, 1]])
            )
            session.add(
                Interpretation(
                    reading_id=reading.id,
                    analysis_type="love",
                    title="Love",
                    text=f"Reading text {n}",
                    per_line={"heart": f"Heart {n}"},
                    engine="offline",
                )
            )
        thread = chat.create_conversation(session, ONLY_A, user_id, title="About my palm")
        chat.ask(session, ONLY_A, user_id, thread.id, "What does my heart line say?", config=CONFIG)
        texts = [m.text for m in chat.messages_of(session, ONLY_A, user_id, thread.id)]
    ResponseCache(redis, ONLY_A).put(REPLY_KEY, REPLY)
    Explorer(factory, redis, ONLY_A).page(Viewer(user_id, Role.USER), ExploreFilter())
    engine.dispose()
    return Written(user_id, thread.id, blobs, texts)


def chat_user(session: Session) -> int:
    from palm.accounts import create_user

    return create_user(session, "ana@example.com", "correct horse battery", Role.USER).id


def everything_reads_with_b_only(
    db_url: str, images: Blobs, redis: Redis, written: Written
) -> None:
    store = BlobStore(images, ONLY_B)
    assert {key: store.get(key) for key in written.blobs} == written.blobs
    engine = make_engine(db_url, cipher=ONLY_B)
    with make_session_factory(engine)() as session:
        readings = session.scalars(select(Reading).order_by(Reading.id)).all()
        assert [r.filename for r in readings] == [f"ana-{n}.jpg" for n in range(len(readings))]
        assert all(
            r.summary and r.analysis and len(r.analysis["landmarks"]) == 21 for r in readings
        )
        assert all(line.polyline for line in session.scalars(select(LineResult)))
        texts = session.scalars(select(Interpretation)).all()
        assert [t.text for t in texts] == [f"Reading text {n}" for n in range(len(readings))]
        assert all(t.per_line["heart"].startswith("Heart") for t in texts)
        messages = chat.messages_of(session, ONLY_B, written.user_id, written.thread_id)
        assert [m.text for m in messages] == written.messages
        thread = chat.find_thread(session, ONLY_B, written.user_id, written.thread_id)
        assert thread is not None and thread.title == "About my palm"
    engine.dispose()
    assert ResponseCache(redis, ONLY_B).get(REPLY_KEY) == REPLY
    views = [redis.get(key) for key in redis.scan_iter("palm:cache:explore:*:*")]
    assert views and all(ONLY_B.decrypt(value) for value in views if value is not None)


def refuses_b_only(db_url: str, images: Blobs, written: Written) -> None:
    """Before the rotation, dropping key A would lose everything (the test can fail)."""
    with pytest.raises(BlobMissingError):
        BlobStore(images, ONLY_B).get(next(iter(written.blobs)))
    engine = make_engine(db_url, cipher=ONLY_B)
    with pytest.raises(UnreadableDataError), make_session_factory(engine)() as session:
        session.scalars(select(Reading.filename)).all()
    engine.dispose()


def rotate_cli(
    db_url: str, redis_url: str, data_dir: Path, *args: str, extra: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **(extra or {}),
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "PALM_DATA_DIR": str(data_dir),
        "PALM_ENCRYPTION_KEYS": f"{KEY_B},{KEY_A}",
    }
    return subprocess.run(
        [sys.executable, "-m", "palm", "rotate-keys", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_after_rotate_keys_the_old_key_can_be_removed(
    db_url: str, redis_url: str, redis_client: Redis, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    written = write_under_a(db_url, data / "images", redis_client, photos=3)
    refuses_b_only(db_url, data / "images", written)

    result = rotate_cli(db_url, redis_url, data, "--batch-size", "2")
    assert result.returncode == 0, result.stderr
    for line in ("photos: 2 of 3", "photos: 3 of 3", "thumbnails: 3 of 3", "overlays: 3 of 3"):
        assert line in result.stdout
    for line in ("readings: 3 of 3", "line courses: 3 of 3", "interpretations: 3 of 3"):
        assert line in result.stdout
    assert f"messages: {len(written.messages)} of {len(written.messages)}" in result.stdout
    assert "threads: 1 of 1" in result.stdout
    assert "cached replies: 1 re-encrypted" in result.stdout
    everything_reads_with_b_only(db_url, data / "images", redis_client, written)

    again = rotate_cli(db_url, redis_url, data)
    assert again.returncode == 0, again.stderr
    assert "photos: all 3 already under key" in again.stdout
    assert "done: 0 item(s) re-encrypted" in again.stdout
    everything_reads_with_b_only(db_url, data / "images", redis_client, written)


class StopRotationError(Exception):
    pass


def test_an_interrupted_rotation_resumes_after_its_last_batch_and_finishes(
    db_url: str, redis_client: Redis, tmp_path: Path
) -> None:
    images = tmp_path / "images"
    written = write_under_a(db_url, images, redis_client, photos=5)
    engine = make_engine(db_url, cipher=B_THEN_A)
    factory = make_session_factory(engine)
    store = BlobStore(images, B_THEN_A)
    lines: list[str] = []

    def stop_after_two_batches(line: str) -> None:
        lines.append(line)
        if len(lines) == 2:
            raise StopRotationError(line)

    with pytest.raises(StopRotationError):
        rotate_keys(
            factory,
            store,
            redis_client,
            B_THEN_A,
            "key-b",
            batch_size=2,
            report=stop_after_two_batches,
        )
    assert lines == ["photos: 2 of 5", "photos: 4 of 5"]
    with transaction(factory) as session:
        checkpoint = session.get_one(KeyRotation, ("key-b", "photos"))
        assert (checkpoint.done, checkpoint.finished_at) == (4, None)
        photos = list(session.scalars(select(Image.storage_key).order_by(Image.id)))
    under_b = [key for key in photos if _reads(BlobStore(images, ONLY_B), key)]
    assert under_b == photos[:4]  # the committed batches, and nothing after them

    resumed: list[str] = []
    rotate_keys(
        factory, store, redis_client, B_THEN_A, "key-b", batch_size=2, report=resumed.append
    )
    assert resumed[:2] == ["photos: resuming after 4 of 5", "photos: 5 of 5"]
    assert "readings: 5 of 5" in resumed
    engine.dispose()
    everything_reads_with_b_only(db_url, images, redis_client, written)


def _reads(store: BlobStore, key: str) -> bool:
    try:
        store.get(key)
    except BlobMissingError:
        return False
    return True


def test_a_value_no_key_reads_stops_the_pass_with_a_code_and_writes_nothing_of_its_batch(
    db_url: str, redis_client: Redis, tmp_path: Path
) -> None:
    images = tmp_path / "images"
    write_under_a(db_url, images, redis_client, photos=2)
    stranger = make_engine(db_url, cipher=MultiFernet([Fernet(Fernet.generate_key())]))
    with transaction(make_session_factory(stranger)) as session:
        session.add(Reading(user_id=1, batch_id="b", filename="lost.jpg"))
    stranger.dispose()
    engine = make_engine(db_url, cipher=B_THEN_A)
    factory = make_session_factory(engine)
    store = BlobStore(images, B_THEN_A)
    with pytest.raises(RotationError) as raised:
        rotate_keys(factory, store, None, B_THEN_A, "key-b", batch_size=10, report=lambda _l: None)
    assert raised.value.code == "ROTATION_UNREADABLE" and "readings #3" in raised.value.message
    with transaction(factory) as session:
        checkpoint = session.get_one(KeyRotation, ("key-b", "readings"))
        assert (checkpoint.last_id, checkpoint.done) == (0, 0)
    engine.dispose()
    only_a = make_engine(db_url, cipher=ONLY_A)
    with make_session_factory(only_a)() as session:  # the batch was rolled back: still under A
        kept = session.scalars(select(Reading.filename).where(Reading.id < 3)).all()
    assert kept == ["ana-0.jpg", "ana-1.jpg"]
    only_a.dispose()


def test_every_sealed_column_is_rotated() -> None:
    listed = {(k.table, c) for k in KINDS if isinstance(k, ColumnKind) for c in k.columns}
    sealed = {
        (table.name, column.name)
        for table in Base.metadata.tables.values()
        for column in table.columns
        if isinstance(column.type, SealedText | SealedJSON)
    }
    assert sealed and sealed <= listed
    assert {("messages", "content_token"), ("conversations", "title_token")} <= listed
