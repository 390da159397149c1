"""The blind index of the interpretation texts: what gets a term, what a search looks up,
and that the database holds no word of the texts."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.migrate import alembic_config
from palm.models import ReadingTerm
from palm.readings import terms
from tests.explore.data import ReadingSpec, add_reading

KEY = b"k" * 32


def test_words_are_runs_of_letters_digits_and_underscores_casefolded() -> None:
    assert terms.words("Steady, CAREER_100% ok!") == ["steady", "career_100", "ok"]


def test_a_search_is_the_set_of_its_words_terms() -> None:
    assert terms.search_terms(KEY, "Warmth  steady WARMTH") == tuple(
        sorted({terms.term(KEY, "warmth"), terms.term(KEY, "steady")})
    )
    assert terms.search_terms(KEY, " !? ") == ()


def test_matching_is_whole_words_in_any_order_and_case() -> None:
    texts = ["Love", "Your love reading: steady warmth."]
    assert terms.matches("WARMTH steady", texts)
    assert terms.matches("love", texts)
    assert not terms.matches("warm", texts)  # a prefix is not the word
    assert not terms.matches("steady calm", texts)  # every word must be there
    assert not terms.matches("?!", texts)


def test_the_key_comes_from_the_oldest_key_so_rotation_keeps_the_index() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    before = terms.term_key(MultiFernet([Fernet(old)]))
    after = terms.term_key(MultiFernet([Fernet(new), Fernet(old)]))
    assert before == after != terms.term_key(MultiFernet([Fernet(new)]))


def test_the_index_holds_numbers_only_and_follows_the_texts(
    session: Session, make_account: Callable[..., int]
) -> None:
    owner = make_account("terms@example.com")
    spec = ReadingSpec(owner, analysis_types=["life"], texts={"life": "Courage ahead."})
    reading = add_reading(session, spec)
    query = select(ReadingTerm.term).where(ReadingTerm.reading_id == reading)
    key = terms.key_of(session.get_bind().dialect)
    stored = set(session.scalars(query))
    assert stored == set(terms.terms_of(key, ["Life", "Courage ahead."]))
    terms.index_reading(session, reading, ["Other words"])
    assert set(session.scalars(query)) == set(terms.terms_of(key, ["Other words"]))


def test_the_migration_indexes_existing_texts_as_the_write_path_does(
    session_factory: sessionmaker[Session],
    engine: Engine,
    db_url: str,
    cipher: MultiFernet,
    make_account: Callable[..., int],
) -> None:
    owner = make_account("migrated@example.com")
    with transaction(session_factory) as session:
        for text in ("Courage ahead.", "Calm, calm waters.", "Ünïcode wörds ÄHEAD"):
            add_reading(session, ReadingSpec(owner, texts={"life": text, "love": "Bold."}))
        written = sorted(session.execute(select(ReadingTerm.term, ReadingTerm.reading_id)).all())
    engine.dispose()
    command.downgrade(alembic_config(db_url, cipher), "0011_disabled")
    command.upgrade(alembic_config(db_url, cipher), "head")
    with transaction(session_factory) as session:
        indexed = sorted(session.execute(select(ReadingTerm.term, ReadingTerm.reading_id)).all())
    assert indexed == written and len(written) > 10
