"""The blind index of the interpretation texts: what gets a term, what a search looks up,
and that the database holds no word of the texts."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import ReadingTerm
from palm.readings import terms
from tests.explore.data import ReadingSpec, add_reading

KEY = b"k" * 32


def test_a_word_gives_its_prefixes_from_three_letters_and_itself() -> None:
    assert terms.strings_of(["Steady, ok!"]) == {"ste", "stea", "stead", "steady", "ok"}


def test_long_words_are_indexed_up_to_the_prefix_limit_and_whole() -> None:
    strings = terms.strings_of(["extraordinarily"])
    assert "extraordinarily" in strings and "extraordina"[: terms.PREFIX_MAX] in strings
    assert max(len(s) for s in strings - {"extraordinarily"}) == terms.PREFIX_MAX


def test_a_search_needs_checking_only_with_a_word_beyond_the_prefixes() -> None:
    short = terms.search_terms(KEY, "Stead  WARM")
    long = terms.search_terms(KEY, "extraordinaril")
    assert short is not None and not short.verify and len(short.terms) == 2
    assert long is not None and long.verify
    assert long.terms == (terms.term(KEY, "extraordinar"),)
    assert terms.search_terms(KEY, " !? ") is None


def test_matching_is_word_starts_in_any_order_and_case() -> None:
    texts = ["Love", "Your love reading: steady warmth, extraordinarily bold."]
    assert terms.matches("WARM stead", texts)
    assert terms.matches("extraordinaril", texts)
    assert not terms.matches("eady", texts)  # inside a word, not at its start
    assert not terms.matches("bo", texts)  # two letters: the whole word only
    assert not terms.matches("extraordinarilx", texts)


def test_the_key_comes_from_the_oldest_key_so_rotation_keeps_the_index() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    before = terms.term_key(MultiFernet([Fernet(old)]))
    after = terms.term_key(MultiFernet([Fernet(new), Fernet(old)]))
    assert before == after != terms.term_key(MultiFernet([Fernet(new)]))


def test_the_index_holds_numbers_only_and_follows_the_texts(
    session: Session, make_account: Callable[..., int]
) -> None:
    owner = make_account("terms@example.com")
    reading = add_reading(session, ReadingSpec(owner, texts={"life": "Courage ahead."}))
    stored = set(session.scalars(select(ReadingTerm.term).where(ReadingTerm.reading_id == reading)))
    key = terms.key_of(session.get_bind().dialect)
    assert terms.term(key, "courage") in stored and terms.term(key, "cou") in stored
    assert all(isinstance(value, int) for value in stored)
    terms.index_reading(session, reading, ["Other words"])
    again = set(session.scalars(select(ReadingTerm.term).where(ReadingTerm.reading_id == reading)))
    assert terms.term(key, "courage") not in again and terms.term(key, "other") in again
