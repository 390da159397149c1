"""Uploading a batch: coded refusals at the door, one stored copy per photo, jobs enqueued."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from limits.storage import RedisStorage
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.infra import ActionLimits, BlobStore, RateLimitedError, RateLimiter, connect
from palm.jobs import ANALYSIS_QUEUE, Queues, QueueUnavailableError
from palm.models import AuditEvent, Image, Job, Reading
from palm.readings import (
    DuplicateUploadError,
    SubmissionInProgressError,
    Upload,
    submit_batch,
)
from palm.readings.operations import SUBMIT_LOCK
from palm.vocabulary import Guarded
from tests.support.photos import LIMITS, photo


def count(factory: sessionmaker[Session], model: type) -> int:
    with transaction(factory) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def statuses(factory: sessionmaker[Session], batch_id: str) -> list[tuple[str, str, str | None]]:
    with transaction(factory) as session:
        rows = session.scalars(
            select(Reading).where(Reading.batch_id == batch_id).order_by(Reading.id)
        )
        return [(r.filename, r.status, r.error_code) for r in rows]


def test_bad_files_are_refused_alone_without_a_trace_and_good_ones_are_queued(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    user = make_account("ana@example.com")
    uploads = [
        Upload("palm.jpg", photo("palm_f_hanging.jpg"), "auto"),
        Upload("notes.txt", b"this is not a photo", "auto"),
        Upload("empty.jpg", b"", "left"),
        Upload("back.jpg", photo("back_f_hanging.jpg"), "right"),
    ]
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user,
        uploads=uploads,
        analysis_types=["full"],
        limits=LIMITS,
    )
    assert statuses(session_factory, batch.batch_id) == [
        ("palm.jpg", "queued", None),
        ("back.jpg", "queued", None),
    ]  # the refused files leave no reading row behind
    assert [(r.filename, r.code) for r in batch.refused] == [
        ("notes.txt", "UNSUPPORTED_FORMAT"),
        ("empty.jpg", "EMPTY_FILE"),
    ]
    assert all(r.message for r in batch.refused)
    assert (batch.rejected, len(batch.reading_ids)) == (2, 2)
    assert store.count() == count(session_factory, Image) == 2
    assert Queue(ANALYSIS_QUEUE, connection=redis_client).count == 2
    with transaction(session_factory) as session:
        jobs = session.scalars(select(Job).order_by(Job.id)).all()
        assert [job.reading_id for job in jobs] == batch.reading_ids
        assert {job.batch_id for job in jobs} == {batch.batch_id}


def test_the_same_photo_twice_is_stored_once(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    user = make_account("ana@example.com")
    data = photo("palm_m_hanging.jpg")
    for _ in range(2):
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=user,
            uploads=[Upload("a.jpg", data)],
            analysis_types=["life"],
            limits=LIMITS,
            allow_copies=True,
        )
    assert (count(session_factory, Reading), count(session_factory, Image)) == (2, 1)
    assert store.count() == 1


def test_the_same_photo_within_ten_minutes_asks_first(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    user = make_account("ana@example.com")
    again = [
        Upload("again.jpg", photo("palm_m_hanging.jpg")),
        Upload("new.jpg", photo("palm_f_hanging.jpg")),
    ]
    submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user,
        uploads=[Upload("first.jpg", photo("palm_m_hanging.jpg"))],
        analysis_types=["life"],
        limits=LIMITS,
    )
    with pytest.raises(DuplicateUploadError) as refused:
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=user,
            uploads=again,
            analysis_types=["life"],
            limits=LIMITS,
        )
    assert refused.value.code == "DUPLICATE_UPLOAD" and refused.value.filenames == ["again.jpg"]
    assert (count(session_factory, Reading), store.count()) == (1, 1)  # nothing half-written


def test_a_second_submission_while_one_runs_is_refused(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    user = make_account("ana@example.com")
    redis_client.set(f"{SUBMIT_LOCK}{user}", "another run", ex=30)  # a double click's first run
    with pytest.raises(SubmissionInProgressError):
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=user,
            uploads=[Upload("a.jpg", photo("palm_m_hanging.jpg"))],
            analysis_types=["life"],
            limits=LIMITS,
        )
    assert count(session_factory, Reading) == 0


def test_stored_photos_are_encrypted_at_rest(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    user = make_account("ana@example.com")
    data = photo("palm_m_hanging.jpg")
    submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user,
        uploads=[Upload("a.jpg", data)],
        analysis_types=["life"],
        limits=LIMITS,
    )
    with transaction(session_factory) as session:
        key = session.scalars(select(Image.storage_key)).one()
    token = store.backend.read(key)
    assert token is not None and data[:64] not in token
    assert store.get(key) == data


@pytest.mark.parametrize(
    ("files", "types", "code"),
    [
        (0, ["full"], "NO_FILES"),
        (6, ["full"], "TOO_MANY_FILES"),
        (1, [], "NO_ANALYSIS_TYPE"),
    ],
)
def test_a_refused_batch_creates_nothing(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
    files: int,
    types: list[str],
    code: str,
) -> None:
    user = make_account("ana@example.com")
    uploads = [Upload(f"{n}.jpg", photo("palm_f_hanging.jpg")) for n in range(files)]
    with pytest.raises(PalmError) as raised:
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=user,
            uploads=uploads,
            analysis_types=types,
            limits=LIMITS,
        )
    assert raised.value.code == code
    assert count(session_factory, Reading) == store.count() == 0


def test_redis_down_refuses_the_batch_and_writes_nothing(
    session_factory: sessionmaker[Session], store: BlobStore, make_account: Callable[[str], int]
) -> None:
    user = make_account("ana@example.com")
    with pytest.raises(QueueUnavailableError):
        submit_batch(
            session_factory,
            Queues(connect("redis://127.0.0.1:1/0", timeout=0.3)),
            store,
            user_id=user,
            uploads=[Upload("a.jpg", photo("palm_f_hanging.jpg"))],
            analysis_types=["life"],
            limits=LIMITS,
        )
    assert (count(session_factory, Reading), store.count()) == (0, 0)


def test_a_refused_enqueue_fails_the_reading_instead_of_leaving_it_queued(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
    make_account: Callable[[str], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RedisConnectionError("Redis went away")

    monkeypatch.setattr(Queue, "enqueue", refuse)
    user = make_account("ana@example.com")
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user,
        uploads=[Upload("a.jpg", photo("palm_f_hanging.jpg"))],
        analysis_types=["life"],
        limits=LIMITS,
    )
    assert statuses(session_factory, batch.batch_id) == [("a.jpg", "failed", "QUEUE_UNAVAILABLE")]


def test_a_failed_transaction_leaves_no_orphan_files(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    store: BlobStore,
) -> None:
    missing_user = 999_999  # violates the users foreign key at flush
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=missing_user,
            uploads=[Upload("a.jpg", photo("palm_f_hanging.jpg"))],
            analysis_types=["life"],
            limits=LIMITS,
        )
    assert store.count() == count(session_factory, Reading) == 0


def test_photos_over_the_accounts_limit_are_refused_audited_and_nothing_is_written(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    store: BlobStore,
    make_account: Callable[[str], int],
) -> None:
    user = make_account("ana@example.com")
    rate = ActionLimits(
        Guarded.SUBMIT,
        per_account=RateLimiter(RedisStorage(redis_url), "3/hour", "test-submit-account"),
        per_address=RateLimiter(RedisStorage(redis_url), "100/hour", "test-submit-address"),
    )

    def send(*names: str) -> None:
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=user,
            uploads=[Upload(name, photo(name)) for name in names],
            analysis_types=["life"],
            limits=LIMITS,
            allow_copies=True,
            rate=rate,
            address="198.51.100.66",
        )

    send("palm_f_hanging.jpg", "palm_m_hanging.jpg")
    with pytest.raises(RateLimitedError) as raised:
        send("palm_f_hanging.jpg", "palm_m_hanging.jpg")  # 4 photos > 3 an hour
    assert raised.value.code == "SUBMIT_RATE_LIMITED"
    assert raised.value.message.startswith("Too many photos sent from this account;")
    assert count(session_factory, Reading) == 2 and store.count() == 2
    assert Queue(ANALYSIS_QUEUE, connection=redis_client).count == 2
    with transaction(session_factory) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None
        assert (event.action, event.outcome, event.actor) == (
            "rate_limited",
            "rejected",
            "ana@example.com",
        )
        assert event.detail.startswith("SUBMIT_RATE_LIMITED by account; address=198.51.100.66")
    send("palm_f_hanging.jpg")  # one more still fits


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("zq10 \u202egnp.exe", "zq10 gnp.exe"),  # an override would show it as "exe.png"
        ("palm\x00\n\t.jpg", "palm.jpg"),
        ("\u200b\u2066", "photo"),
        ("a" * 300 + ".jpg", "a" * 200),
        ("café hand.HEIC", "café hand.HEIC"),
    ],
)
def test_a_filename_is_kept_without_controls_or_invisible_characters(given: str, kept: str) -> None:
    assert Upload(given, b"").filename == kept
