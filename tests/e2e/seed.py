"""Data for the browser tests, written as the app would write it: real photos analysed by the
real engine (so thumbnails, overlays and PNGs exist), a year of synthetic history, a chat
thread, and a reading shared between two people."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from palm import chat
from palm.accounts import create_user
from palm.db import make_engine, make_session_factory, transaction
from palm.explore import shares
from palm.infra import BlobStore, connect, load_cipher
from palm.jobs import Queues
from palm.models import Reading
from palm.readings import Upload, submit_batch
from palm.settings import PROJECT_ROOT, Settings
from palm.vocabulary import LINE_NAMES, ReadingStatus, Role
from tests.chat.support import CONFIG
from tests.e2e.browser import PASSWORD
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days
from tests.support.photos import LIMITS

PALMS = PROJECT_ROOT / "tests" / "data" / "palms"
PHOTOS = ("palm_left_dark_sideways.jpg", "palm_f_hanging.jpg")


@dataclass(frozen=True)
class Seeded:
    user: int
    analyst: int
    admin: int
    friend: int
    real_readings: list[int]


def app_engine(db_url: str, data_dir: Path) -> Engine:
    """An engine with the keys of a stack started on ``data_dir`` (its development key, or
    PALM_ENCRYPTION_KEYS when the environment sets them), so seeded rows read on its pages."""
    return make_engine(db_url, cipher=load_cipher(Settings(palm_data_dir=data_dir)))


def _history(session: object, owner: int, rng: random.Random) -> None:
    for i in range(24):
        growth = i / 24
        lines = {
            name: LineSpec(
                found=name in ("heart", "head", "life") or rng.random() < 0.4 + growth / 2,
                length_rel=round(0.5 + 0.3 * growth + rng.uniform(-0.05, 0.05) + k * 0.1, 3),
                depth=round(0.3 + 0.2 * growth + rng.uniform(-0.05, 0.05), 3),
                curvature=round(0.08 + 0.05 * k + rng.uniform(-0.02, 0.02), 3),
                confidence=round(rng.uniform(0.5, 0.95), 2),
            )
            for k, name in enumerate(LINE_NAMES)
        }
        spec = ReadingSpec(
            owner,
            created_at=BASE_TIME + days(i * 10 + rng.random()),
            hand="left" if i % 3 else "right",
            hand_shape=rng.choice(["earth", "air", "fire", "water"]),
            lines=lines,
            filename=f"palm-{i:02d}.jpg",
        )
        add_reading(session, spec)


def seed(db_url: str, redis_url: str, data_dir: Path) -> Seeded:
    """Every page has something to show, for every role."""
    engine = app_engine(db_url, data_dir)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        admin = create_user(session, "adam@example.com", PASSWORD, Role.ADMIN).id
        user = create_user(session, "ana@example.com", PASSWORD, Role.USER).id
        analyst = create_user(session, "ann@example.com", PASSWORD, Role.ANALYST).id
        friend = create_user(session, "ben@example.com", PASSWORD, Role.USER).id
        _history(session, user, random.Random(5))
        for i in range(3):
            add_reading(session, ReadingSpec(friend, created_at=BASE_TIME + days(i)))
    settings = Settings(palm_data_dir=data_dir, database_url=db_url, redis_url=redis_url)
    store = BlobStore(settings.images_dir, load_cipher(settings))
    redis = connect(redis_url)
    batch = submit_batch(
        factory,
        Queues(redis),
        store,
        user_id=user,
        uploads=[Upload(name, (PALMS / name).read_bytes()) for name in PHOTOS],
        analysis_types=["full"],
        limits=LIMITS,
    )
    redis.close()
    engine.dispose()
    return Seeded(user, analyst, admin, friend, batch.reading_ids)


def all_done(db_url: str, reading_ids: list[int]) -> bool:
    """Whether the stack's worker has finished these readings (a readiness check to poll)."""
    engine = make_engine(db_url)
    with transaction(make_session_factory(engine)) as session:
        statuses = session.scalars(select(Reading.status).where(Reading.id.in_(reading_ids)))
        done = all(status == ReadingStatus.DONE for status in statuses)
    engine.dispose()
    return done


def converse_and_share(db_url: str, data_dir: Path, seeded: Seeded) -> None:
    """A chat thread about the first real reading, and that reading shared with the friend."""
    engine = app_engine(db_url, data_dir)
    cipher = load_cipher(Settings(palm_data_dir=data_dir))
    with transaction(make_session_factory(engine)) as session:
        first = seeded.real_readings[0]
        thread = chat.create_conversation(session, cipher, seeded.user, reading_id=first)
        for question in ("What does my heart line say?", "And my career?"):
            chat.ask(session, cipher, seeded.user, thread.id, question, config=CONFIG)
        shares.share_reading(session, seeded.user, first, "ben@example.com")
    engine.dispose()
