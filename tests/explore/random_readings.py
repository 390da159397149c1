"""Random readings for the exactness tests of the rollups and the mirror: 120 readings over
three people with 1–6 lines each, then a fifth deleted and some marked failed through the store
(each change moves the rollups and the change sequence), and an analyst to look at them."""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore.query import Viewer
from palm.models import Reading
from palm.readings import store as readings
from palm.vocabulary import ANALYSIS_TYPES, LINE_NAMES, Role
from tests.explore.data import BASE_TIME, LineSpec, ReadingSpec, add_reading, days

ENGINES = ("offline", "llm:gpt-4o-mini", "llm:other")


def random_spec(rng: random.Random, user_id: int) -> ReadingSpec:
    lines = {
        name: LineSpec(
            found=rng.random() < 0.7,
            length_rel=round(rng.uniform(0.3, 1.2), 3),
            depth=round(rng.uniform(0.1, 0.9), 3),
            curvature=round(rng.uniform(0.0, 0.4), 3),
            confidence=round(rng.random(), 3),
        )
        for name in rng.sample(LINE_NAMES, rng.randint(1, len(LINE_NAMES)))
    }
    return ReadingSpec(
        user_id,
        created_at=BASE_TIME + days(rng.uniform(0, 60)),
        hand=rng.choice(("left", "right")),
        status=rng.choice(("done", "done", "done", "failed", "queued")),
        engine=rng.choice(ENGINES),
        hand_shape=rng.choice(("earth", "air", "fire", "water")),
        analysis_types=rng.sample(ANALYSIS_TYPES, rng.randint(1, 3)),
        lines=lines,
    )


def random_readings(
    session_factory: sessionmaker[Session], make_account: Callable[..., int]
) -> Viewer:
    """120 random readings over three people, then a fifth of them deleted and some marked
    running and failed through the store (each change moves the rollups)."""
    rng = random.Random(16)
    people = [make_account(f"p{i}@example.com") for i in range(3)]
    with transaction(session_factory) as session:
        ids = [(p, add_reading(session, random_spec(rng, p))) for p in rng.choices(people, k=120)]
    with transaction(session_factory) as session:
        for owner, reading_id in rng.sample(ids, 24):
            readings.delete_reading(session, owner, reading_id)
    with transaction(session_factory) as session:
        for _, reading_id in ids[:6]:
            if session.get(Reading, reading_id) is not None:
                readings.mark_failed(session, reading_id, "NO_HAND", "No hand found.")
    return Viewer(make_account("ana@example.com", Role.ANALYST), Role.ANALYST)
