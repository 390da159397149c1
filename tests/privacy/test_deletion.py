"""Deleting an account leaves nothing of the person: every table of the metadata and every
Redis key is looked at after a full life (sign-ins, sessions, photos read and queued,
shares both ways, a chat, cached views and replies, rate-limit counters), and the audit log
keeps only a pseudonym. The other person's data stays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import takewhile

import pytest
from redis import Redis
from sqlalchemy import Engine, select
from sqlalchemy.exc import NoResultFound
from sqlalchemy.orm import Session, sessionmaker

from palm import accounts, chat, explore
from palm.db import Base, transaction
from palm.explore import ExploreFilter, Viewer
from palm.infra import connect, key_digest
from palm.jobs import export_policy
from palm.models import AuditEvent, Image, Job, Reading, UsageRecord, UsageUserMonthly, User
from palm.privacy import (
    CONFIRMATION_PHRASE,
    delete_account,
    erased_name,
    request_export,
    run_export,
)
from palm.readings import Upload, rebuild, run_analysis, submit_batch
from palm.runtime import Runtime, get_runtime
from palm.vocabulary import Role
from tests.support.photos import LIMITS, photo

PASSWORD = "correct horse battery"
SECRET = b"test-secret"


@dataclass
class Life:
    """Everything one person left behind, to look for afterwards."""

    user_id: int
    emails: set[str]
    reading_ids: list[int] = field(default_factory=list)
    image_ids: list[int] = field(default_factory=list)
    image_sha256s: list[str] = field(default_factory=list)
    blob_keys: list[str] = field(default_factory=list)
    rq_ids: list[str] = field(default_factory=list)
    session_ids: list[str] = field(default_factory=list)
    conversation_ids: list[int] = field(default_factory=list)


@pytest.fixture
def runtime(app_env: dict[str, str]) -> Iterator[Runtime]:  # noqa: ARG001  (its settings)
    yield get_runtime()


def sign_in_twice(runtime: Runtime, email: str) -> None:
    """A failed then a good sign-in under the real limits (counters, known network)."""
    with transaction(runtime.session_factory) as session, pytest.raises(accounts.AccountError):
        accounts.sign_in(
            session, email, "wrong!", address="10.0.0.7", limits=runtime.sign_in_limits
        )
    with transaction(runtime.session_factory) as session:
        accounts.sign_in(
            session, email, PASSWORD, address="10.0.0.7", limits=runtime.sign_in_limits
        )


def read_photo(runtime: Runtime, user_id: int, name: str, *, run: bool = True) -> int:
    assert runtime.queues is not None
    batch = submit_batch(
        runtime.session_factory,
        runtime.queues,
        runtime.blob_store,
        user_id=user_id,
        uploads=[Upload(f"{name}.jpg", photo(name))],
        analysis_types=["love", "life"],
        limits=LIMITS,
        rate=runtime.submit_limits,
        address="10.0.0.7",
    )
    reading_id = batch.reading_ids[0]
    if run:
        run_analysis(
            runtime.session_factory,
            runtime.blob_store,
            runtime.redis,
            None,
            runtime.settings,
            reading_id,
            lambda *_: None,
        )
    return reading_id


def live(runtime: Runtime, email: str, other_email: str | None, photos: tuple[str, str]) -> Life:
    redis = runtime.redis
    assert redis is not None
    with transaction(runtime.session_factory) as session:
        user = accounts.create_user(session, email, PASSWORD, Role.USER)
        accounts.save_preferences(session, user.id, accounts.ReadingPreferences(tone="playful"))  # type: ignore[arg-type]
        accounts.update_profile(session, user.id, display_name="Someone", hand="right")
    life = Life(user.id, {email})
    sign_in_twice(runtime, email)
    token = accounts.open_session(redis, user.id, "Firefox/130", idle_seconds=3600)
    life.session_ids.append(accounts.token_hash(token))
    accounts.issue_sign_in_ticket(redis, user.id, "/")
    life.reading_ids.append(read_photo(runtime, user.id, photos[0]))
    life.reading_ids.append(read_photo(runtime, user.id, photos[1], run=False))
    viewer = Viewer(user.id, Role.USER, runtime.pseudonym_secret)
    runtime.explorer.per_day(viewer, ExploreFilter())
    runtime.explorer.page(viewer, ExploreFilter(), None)
    limiter = runtime.chat_limiter
    assert limiter is not None and limiter.allows(f"user:{user.id}")
    with transaction(runtime.session_factory) as session:
        thread = chat.create_conversation(
            session, runtime.cipher, user.id, reading_id=life.reading_ids[0], title="Love?"
        )
        life.conversation_ids.append(thread.id)
        images = session.scalars(select(Image).where(Image.user_id == user.id)).all()
        life.image_ids = [image.id for image in images]
        life.image_sha256s = [image.sha256 for image in images]
        life.blob_keys = [k for i in images for k in (i.storage_key, i.thumbnail_key) if k]
        overlays = select(Reading.overlay_key).where(Reading.user_id == user.id)
        life.blob_keys += [key for key in session.scalars(overlays) if key]
        life.rq_ids = list(session.scalars(select(Job.rq_id).where(Job.user_id == user.id)))
    for sha in life.image_sha256s:
        redis.set(f"palm:cache:llm:entry:{sha}:love:m:prompt-1.1:s", b"sealed reply")
    if other_email is not None:
        explore.share_reading(
            runtime.session_factory, redis, user.id, life.reading_ids[0], other_email
        )
    return life


def change_email(runtime: Runtime, life: Life, new: str) -> None:
    with transaction(runtime.session_factory) as session:
        accounts.change_email(session, life.user_id, new, PASSWORD)
    life.emails.add(new)


def table_leftovers(engine: Engine, life: Life) -> dict[str, list[str]]:
    """Per table, every value that still points at the person or names them."""
    ids = {
        "user_id": {life.user_id},
        "owner_id": {life.user_id},
        "recipient_id": {life.user_id},
        "reading_id": set(life.reading_ids),
        "image_id": set(life.image_ids),
        "conversation_id": set(life.conversation_ids),
    }
    found: dict[str, list[str]] = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            hits = []
            for row in connection.execute(table.select()).mappings():
                for column, value in row.items():
                    if table.name == "users" and column == "id" and value == life.user_id:
                        hits.append("users.id")
                    if value in ids.get(column, ()):
                        hits.append(f"{column}={value}")
                    text = str(value)
                    hits += [f"{column} names {e}" for e in life.emails if e in text]
                    hits += [f"{column} holds {s[:8]}" for s in life.image_sha256s if s in text]
            found[table.name] = hits
    return found


def text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def redis_leftovers(redis: Redis, life: Life) -> tuple[list[str], set[str]]:
    """Keys that are still the person's, and the prefixes of every key there is."""
    markers = [
        f"user:{life.user_id}:",
        f"user:{life.user_id}/",
        f":account/{life.user_id}/",
        f"user-sessions:{life.user_id}",
        f"gen:user:{life.user_id}",
        f"submit-lock:{life.user_id}",
        f"export:job:{life.user_id}",
        f"export:data:{life.user_id}",
        *life.image_sha256s,
        *life.session_ids,
        *life.rq_ids,
        *(key_digest(email) for email in life.emails),
    ]
    left, prefixes = [], set()
    for raw in redis.scan_iter(count=1000):
        key = raw.decode()
        parts = key.split("/")[0].split(":")
        prefixes.add(":".join(takewhile(lambda part: not any(c.isdigit() for c in part), parts)))
        if any(marker in key for marker in markers):
            left.append(key)
        kind = text(redis.type(raw))
        if kind == "hash" and redis.hget(raw, "user_id") == str(life.user_id).encode():
            left.append(key)
        ticket = kind == "string" and key.startswith("palm:signin-ticket:")
        if ticket and text(redis.get(raw) or b"").startswith(f"{life.user_id}|"):
            left.append(key)
        if kind == "list":
            queued = {text(item) for item in redis.lrange(raw, 0, -1)}
            left += [f"{key} queues {rq_id}" for rq_id in life.rq_ids if rq_id in queued]
    return left, prefixes


def test_deleting_an_account_leaves_nothing_of_the_person_anywhere(
    runtime: Runtime, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    redis = runtime.redis
    assert redis is not None
    ben = live(runtime, "ben@example.com", None, ("palm_m_hanging.jpg", "back_m_hanging.jpg"))
    ana = live(
        runtime, "ana@example.com", "ben@example.com", ("palm_f_hanging.jpg", "back_f_hanging.jpg")
    )
    change_email(runtime, ana, "ana.new@example.com")
    assert runtime.queues is not None
    rq_id = request_export(
        runtime.session_factory,
        runtime.queues,
        user_id=ana.user_id,
        policy=export_policy(runtime.settings),
    )
    ana.rq_ids.append(rq_id)
    run_export(runtime.session_factory, redis, runtime.blob_store, runtime.cipher, ana.user_id)
    explore.share_reading(
        runtime.session_factory, redis, ben.user_id, ben.reading_ids[0], "ana.new@example.com"
    )
    assert any(table_leftovers(engine, ana).values())
    before, prefixes_before = redis_leftovers(redis, ana)
    assert before

    name = delete_account(
        runtime.session_factory,
        redis,
        runtime.queues,
        runtime.blob_store,
        user_id=ana.user_id,
        password=PASSWORD,
        confirmation=CONFIRMATION_PHRASE,
        secret=SECRET,
    )

    tables = table_leftovers(engine, ana)
    keys, prefixes = redis_leftovers(redis, ana)
    with capsys.disabled():
        print("\ntables checked:", ", ".join(sorted(tables)))
        print("redis key prefixes before:", ", ".join(sorted(prefixes_before)))
        print("redis key prefixes afterwards:", ", ".join(sorted(prefixes)))
    assert set(tables) == {table.name for table in Base.metadata.sorted_tables}
    assert tables == {table: [] for table in tables}
    assert keys == []
    assert not [key for key in ana.blob_keys if runtime.blob_store.exists(key)]
    assert all(runtime.blob_store.exists(key) for key in ben.blob_keys)
    with transaction(runtime.session_factory) as session:
        assert session.get(User, ben.user_id) is not None
        assert len(explore.shares_by(session, ben.user_id)) == 0  # his share to Ana went too
        about = (AuditEvent.actor == name) | (AuditEvent.target == name)
        events = session.scalars(select(AuditEvent).where(about).order_by(AuditEvent.id)).all()
    assert name == erased_name(ana.user_id, SECRET)
    actions = {event.action for event in events}
    assert {"user_created", "login", "login_failed", "email_changed", "account_deleted"} <= actions
    assert events[-1].action == "account_deleted" and events[-1].detail == "readings=2"
    assert rollups(engine) == rebuilt(runtime, engine)  # her contributions were subtracted


def rollups(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """The trend rollups' rows (sums rounded: subtracting floats leaves the last digit)."""
    with engine.connect() as connection:
        return {
            name: sorted(
                tuple(round(v, 6) if isinstance(v, float) else v for v in row)
                for row in connection.execute(Base.metadata.tables[name].select())
            )
            for name in ("reading_daily", "reading_daily_all", "trend_daily", "trend_daily_all")
        }


def rebuilt(runtime: Runtime, engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """The rollups recomputed from the rows that are left."""
    with transaction(runtime.session_factory) as session:
        rebuild(session)
    return rollups(engine)


@pytest.mark.parametrize(
    ("password", "confirmation", "code"),
    [
        ("not it", CONFIRMATION_PHRASE, "WRONG_PASSWORD"),
        (PASSWORD, "delete", "CONFIRMATION_MISMATCH"),
    ],
)
def test_a_refused_deletion_changes_nothing_but_its_audit_event(
    runtime: Runtime, password: str, confirmation: str, code: str
) -> None:
    redis = runtime.redis
    assert redis is not None
    with transaction(runtime.session_factory) as session:
        user_id = accounts.create_user(session, "ana@example.com", PASSWORD, Role.USER).id
    token = accounts.open_session(redis, user_id, "", idle_seconds=3600)
    with pytest.raises(accounts.AccountError) as refused:
        delete_account(
            runtime.session_factory,
            redis,
            runtime.queues,
            runtime.blob_store,
            user_id=user_id,
            password=password,
            confirmation=confirmation,
            secret=SECRET,
        )
    assert refused.value.code == code
    assert accounts.resolve_session(redis, token, idle_seconds=3600) is not None
    with transaction(runtime.session_factory) as session:
        assert session.get(User, user_id) is not None
        last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and (last.action, last.outcome) == ("account_deleted", "rejected")


def test_without_redis_the_deletion_rolls_back(
    runtime: Runtime, session_factory: sessionmaker[Session]
) -> None:
    with transaction(runtime.session_factory) as session:
        user_id = accounts.create_user(session, "ana@example.com", PASSWORD, Role.USER).id
    dead = connect("redis://127.0.0.1:1/0", timeout=0.3)
    with pytest.raises(accounts.SessionStoreUnavailableError):
        delete_account(
            runtime.session_factory,
            dead,
            None,
            runtime.blob_store,
            user_id=user_id,
            password=PASSWORD,
            confirmation=CONFIRMATION_PHRASE,
            secret=SECRET,
        )
    with transaction(session_factory) as session:
        assert session.get(User, user_id) is not None


def test_an_analysis_running_while_its_owner_is_deleted_leaves_nothing(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reading's row goes mid-analysis: the analysis's own transaction then fails and
    removes the overlay and thumbnail it wrote; nothing of the person is left anywhere."""
    import palm.readers
    from palm.readings import operations

    redis = runtime.redis
    assert redis is not None and runtime.queues is not None
    with transaction(runtime.session_factory) as session:
        user_id = accounts.create_user(session, "ana@example.com", PASSWORD, Role.USER).id
    reading_id = read_photo(runtime, user_id, "palm_f_hanging.jpg", run=False)
    interpret = palm.readers.interpret

    def deleted_meanwhile(*args: object, **kwargs: object) -> object:
        delete_account(
            runtime.session_factory,
            redis,
            runtime.queues,
            runtime.blob_store,
            user_id=user_id,
            password=PASSWORD,
            confirmation=CONFIRMATION_PHRASE,
            secret=SECRET,
        )
        return interpret(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(operations, "interpret", deleted_meanwhile)
    with pytest.raises(NoResultFound):  # its reading is gone
        run_analysis(
            runtime.session_factory,
            runtime.blob_store,
            redis,
            None,
            runtime.settings,
            reading_id,
            lambda *_: None,
        )
    assert runtime.blob_store.count() == 0  # photo, overlay and thumbnail all gone
    with transaction(runtime.session_factory) as session:
        assert session.get(User, user_id) is None
        assert session.get(Reading, reading_id) is None
        assert not session.scalars(select(Job)).all()


def test_a_deleted_persons_llm_spend_stays_in_the_month_but_is_nobodys(runtime: Runtime) -> None:
    redis = runtime.redis
    assert redis is not None
    with transaction(runtime.session_factory) as session:
        ana = accounts.create_user(session, "ana@example.com", PASSWORD, Role.USER).id
        for user_id, cost in ((ana, 0.25), (ana, 0.5), (None, 1.0)):
            session.add(
                UsageRecord(
                    user_id=user_id,
                    provider="openai",
                    model="gpt-4o-mini",
                    purpose="reading",
                    input_tokens=100,
                    output_tokens=10,
                    cost_usd=cost,
                )
            )
    delete_account(
        runtime.session_factory,
        redis,
        runtime.queues,
        runtime.blob_store,
        user_id=ana,
        password=PASSWORD,
        confirmation=CONFIRMATION_PHRASE,
        secret=SECRET,
    )
    with transaction(runtime.session_factory) as session:
        months = session.scalars(select(UsageUserMonthly)).all()
        assert [(row.user_id, row.calls, row.cost_usd) for row in months] == [(0, 3, 1.75)]
        assert session.scalars(select(UsageRecord.user_id)).all() == [None, None, None]
