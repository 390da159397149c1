"""Preferences that shape readings: defaults for a new account, saved and read back, a wrong
value refused with nothing stored, a stored value gone bad falling back alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from palm.accounts import (
    ReadingPreferences,
    load_preferences,
    reader_style,
    save_preferences,
    set_preference,
    update_profile,
    users,
)
from palm.errors import PalmError
from palm.models import User
from palm.vocabulary import ChartTheme, Language, ReadingLength, Tone

PASSWORD = "correct horse battery"


@pytest.fixture
def ana(session: Session) -> User:
    return users.sign_up(session, "ana@example.com", PASSWORD)


def test_a_new_account_gets_the_defaults(session: Session, ana: User) -> None:
    prefs = load_preferences(session, ana.id)
    assert prefs == ReadingPreferences()
    assert (prefs.tone, prefs.length, prefs.language) == ("warm", "full", "en")
    assert len(prefs.analysis_types) == 5


def test_preferences_are_saved_in_canonical_form_and_read_back(session: Session, ana: User) -> None:
    chosen = ReadingPreferences(
        analysis_types=("heart", "life"),  # an alias, out of order
        tone=Tone.PLAYFUL,
        length=ReadingLength.SHORT,
        language=Language.FRENCH,
        date_format="%d/%m/%Y %H:%M",
        time_zone="Europe/Paris",
        chart_theme=ChartTheme.COLOUR_BLIND,
    )
    saved = save_preferences(session, ana.id, chosen)
    assert saved.analysis_types == ("life", "love")
    assert load_preferences(session, ana.id) == saved


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"analysis_types": ()}, "NO_ANALYSIS_TYPE"),
        ({"analysis_types": ("astrology",)}, "UNKNOWN_ANALYSIS_TYPE"),
        ({"tone": "sarcastic"}, "INVALID_PREFERENCE"),
        ({"language": "tlh"}, "INVALID_PREFERENCE"),
        ({"date_format": "%s"}, "INVALID_PREFERENCE"),
        ({"time_zone": "Mars/Olympus_Mons"}, "INVALID_PREFERENCE"),
    ],
)
def test_a_wrong_value_is_refused_and_nothing_is_stored(
    session: Session, ana: User, change: dict[str, object], code: str
) -> None:
    playful = replace(ReadingPreferences(), tone=Tone.PLAYFUL)
    with pytest.raises(PalmError) as refused:
        save_preferences(session, ana.id, replace(playful, **change))  # type: ignore[arg-type]
    assert refused.value.code == code
    assert load_preferences(session, ana.id) == ReadingPreferences()


def test_a_stored_value_gone_bad_falls_back_alone(session: Session, ana: User) -> None:
    save_preferences(session, ana.id, replace(ReadingPreferences(), tone=Tone.PLAYFUL))
    set_preference(session, ana.id, "language", "klingon")
    prefs = load_preferences(session, ana.id)
    assert (prefs.tone, prefs.language) == (Tone.PLAYFUL, Language.ENGLISH)


def test_dates_show_in_the_persons_zone_and_format() -> None:
    prefs = ReadingPreferences(date_format="%d %b %Y, %H:%M", time_zone="America/New_York")
    assert prefs.when(datetime(2026, 7, 1, 12, 0, tzinfo=UTC)) == "01 Jul 2026, 08:00"
    assert prefs.when(None) == ""


def test_the_reader_style_joins_preferences_and_the_dominant_hand(
    session: Session, ana: User
) -> None:
    save_preferences(
        session, ana.id, ReadingPreferences(tone=Tone.MATTER_OF_FACT, language=Language.SPANISH)
    )
    update_profile(session, ana.id, display_name="", hand="left")
    style = reader_style(session, ana.id)
    assert (style.tone, style.language, style.dominant_hand) == ("matter_of_fact", "es", "left")
