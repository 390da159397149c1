"""The next reading follows the person's preferences as they are when its job runs."""

from __future__ import annotations

from pathlib import Path

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import ReadingPreferences, save_preferences, update_profile, users
from palm.db import transaction
from palm.infra import BlobStore
from palm.jobs import Queues
from palm.models import Interpretation, Reading
from palm.readings import Upload, run_analysis, submit_batch
from palm.settings import Settings
from palm.vocabulary import Language, ReadingLength, Role, Tone
from tests.support.photos import LIMITS, photo


def read_once(
    factory: sessionmaker[Session], redis: Redis, store: BlobStore, user_id: int, tmp_path: Path
) -> list[Interpretation]:
    batch = submit_batch(
        factory,
        Queues(redis),
        store,
        user_id=user_id,
        uploads=[Upload("palm.jpg", photo("palm_f_hanging.jpg"))],
        analysis_types=["love"],
        limits=LIMITS,
        allow_copies=True,
    )
    reading_id = batch.reading_ids[0]
    settings = Settings(palm_data_dir=tmp_path, redis_url=None)
    run_analysis(factory, store, redis, None, settings, reading_id, lambda *_: None)
    with transaction(factory) as session:
        assert session.get_one(Reading, reading_id).status == "done"
        query = select(Interpretation).where(Interpretation.reading_id == reading_id)
        return list(session.scalars(query))


def test_the_next_reading_is_written_in_the_chosen_language_tone_and_hand(
    session_factory: sessionmaker[Session], redis_client: Redis, store: BlobStore, tmp_path: Path
) -> None:
    with transaction(session_factory) as session:
        user_id = users.create_user(
            session, "ana@example.com", "correct horse battery", Role.USER
        ).id
    before = read_once(session_factory, redis_client, store, user_id, tmp_path)[0]
    assert before.title == "Love and emotions (heart line)"
    with transaction(session_factory) as session:
        save_preferences(
            session,
            user_id,
            ReadingPreferences(
                tone=Tone.MATTER_OF_FACT, length=ReadingLength.SHORT, language=Language.SPANISH
            ),
        )
        update_profile(session, user_id, display_name="", hand="left")
    after = read_once(session_factory, redis_client, store, user_id, tmp_path)[0]
    assert after.title == "Amor y emociones (línea del corazón)"
    assert "Forma de mano" in after.text
    assert ("Es tu mano dominante" in after.text) != ("Es tu otra mano" in after.text)
    assert after.per_line["heart"].startswith("Línea del corazón: ")
    assert len(after.per_line["heart"]) < len(before.per_line["heart"])
