"""plain(): any string becomes Markdown that Streamlit renders as exactly that string, with
nothing in it alive (no link, image, HTML, math, directive, autolink, shortcode or arrow)."""

from __future__ import annotations

import pytest

from palm.ui.text import plain
from tests.support.hostile import CORPUS, EVERYTHING, IMG_MAIL, LONG, PHISHER, TAG
from tests.support.rendered import active_markup, readable, text_of

STRINGS = [*CORPUS.values(), LONG, TAG, PHISHER, IMG_MAIL, EVERYTHING, "a -> b <-> c -- d"]


@pytest.mark.parametrize("text", STRINGS, ids=range(len(STRINGS)))
def test_a_hostile_string_renders_as_itself_and_nothing_more(text: str) -> None:
    assert active_markup(plain(text)) == []
    assert text_of(plain(text)) == readable(text)


def test_the_corpus_would_come_alive_without_it() -> None:
    alive = [
        name
        for name, text in CORPUS.items()
        if active_markup(text) or text_of(text) != readable(text)
    ]
    assert set(CORPUS) - set(alive) == {"rtl"}  # plain text already (its override: see below)


def test_ordinary_words_stay_as_they_are() -> None:
    assert plain("Palm of Zoë left hand 2026") == "Palm of Zoë left hand 2026"


def test_bidirectional_overrides_are_dropped_so_a_name_reads_as_typed() -> None:
    spoof = CORPUS["rtl"]  # shown raw, "gnp.exe" after the override reads as "exe.png"
    assert "\u202e" in spoof
    assert "\u202e" not in plain(spoof) and text_of(plain(spoof)) == "zq10 gnp.exe"
