"""Per-user preferences (JSON values under string keys), and the typed set that shapes
readings, dates and charts: ``ReadingPreferences`` (load, check, save)."""

from __future__ import annotations

import json
import zoneinfo
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.models import Preference
from palm.readers import ReaderStyle
from palm.vocabulary import (
    ANALYSIS_TYPES,
    DATE_FORMATS,
    DAY_FORMATS,
    HANDS,
    ChartTheme,
    Hand,
    Language,
    ReadingLength,
    Tone,
    expand_types,
)

DEFAULT_ANALYSIS_TYPES = "default_analysis_types"
READING_KEYS = {
    "tone": "reader_tone",
    "length": "reading_length",
    "language": "language",
    "date_format": "date_format",
    "time_zone": "time_zone",
    "chart_theme": "chart_theme",
}


def get_preference(session: Session, user_id: int, key: str, default: Any = None) -> Any:
    row = session.scalar(
        select(Preference).where(Preference.user_id == user_id, Preference.key == key)
    )
    if row is None:
        return default
    try:
        return json.loads(row.value)
    except json.JSONDecodeError:
        return default


def set_preference(session: Session, user_id: int, key: str, value: Any) -> None:
    row = session.scalar(
        select(Preference).where(Preference.user_id == user_id, Preference.key == key)
    )
    if row is None:
        session.add(Preference(user_id=user_id, key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted, UTC first."""
    return ("UTC", *sorted(zone for zone in zoneinfo.available_timezones() if zone != "UTC"))


@dataclass(frozen=True)
class ReadingPreferences:
    """What a person chose for readings, dates and charts; the defaults for a new account."""

    analysis_types: tuple[str, ...] = ANALYSIS_TYPES
    tone: Tone = Tone.WARM
    length: ReadingLength = ReadingLength.FULL
    language: Language = Language.ENGLISH
    date_format: str = next(iter(DATE_FORMATS))
    time_zone: str = "UTC"
    chart_theme: ChartTheme = ChartTheme.LIGHT

    def style(self, dominant_hand: Hand | None) -> ReaderStyle:
        """How the reader should write for this person."""
        return ReaderStyle(
            tone=self.tone, length=self.length, language=self.language, dominant_hand=dominant_hand
        )

    def when(self, moment: datetime | None) -> str:
        """A moment in the person's time zone and date format ("" for none)."""
        if moment is None:
            return ""
        return moment.astimezone(zoneinfo.ZoneInfo(self.time_zone)).strftime(self.date_format)

    def day(self, moment: datetime) -> str:
        """The day alone of a moment, in the person's time zone and date format."""
        pattern = DAY_FORMATS.get(self.date_format, "%Y-%m-%d")
        return moment.astimezone(zoneinfo.ZoneInfo(self.time_zone)).strftime(pattern)


def _invalid(what: str) -> PalmError:
    return PalmError("INVALID_PREFERENCE", f"That {what} is not one Palmline offers.")


def checked(prefs: ReadingPreferences) -> ReadingPreferences:
    """The same preferences in canonical form, or PalmError INVALID_PREFERENCE /
    NO_ANALYSIS_TYPE saying which one is wrong."""
    kinds = tuple(kind.value for kind in expand_types(prefs.analysis_types))
    if not kinds:
        raise PalmError("NO_ANALYSIS_TYPE", "Pick at least one kind of reading.")
    try:
        tone, length = Tone(prefs.tone), ReadingLength(prefs.length)
        language, theme = Language(prefs.language), ChartTheme(prefs.chart_theme)
    except ValueError as exc:
        raise _invalid("choice") from exc
    if prefs.date_format not in DATE_FORMATS:
        raise _invalid("date format")
    if prefs.time_zone not in time_zones():
        raise _invalid("time zone")
    return replace(
        prefs,
        analysis_types=kinds,
        tone=tone,
        length=length,
        language=language,
        chart_theme=theme,
    )


def load_preferences(session: Session, user_id: int) -> ReadingPreferences:
    """The person's preferences; anything missing or no longer valid is the default."""
    rows = session.scalars(select(Preference).where(Preference.user_id == user_id))
    saved: dict[str, Any] = {}
    for row in rows:
        try:
            saved[row.key] = json.loads(row.value)
        except json.JSONDecodeError:
            continue
    defaults = ReadingPreferences()
    values: dict[str, Any] = {}
    for field, key in READING_KEYS.items():
        if key in saved:
            values[field] = saved[key]
    if isinstance(saved.get(DEFAULT_ANALYSIS_TYPES), list) and saved[DEFAULT_ANALYSIS_TYPES]:
        values["analysis_types"] = tuple(saved[DEFAULT_ANALYSIS_TYPES])
    result = defaults
    for field, value in values.items():  # one bad value falls back alone
        try:
            result = checked(replace(result, **{field: value}))
        except (PalmError, TypeError):
            continue
    return result


def save_preferences(
    session: Session, user_id: int, prefs: ReadingPreferences
) -> ReadingPreferences:
    """Check and store every preference (nothing is stored if one is wrong)."""
    good = checked(prefs)
    values = asdict(good)
    set_preference(session, user_id, DEFAULT_ANALYSIS_TYPES, list(good.analysis_types))
    for field, key in READING_KEYS.items():
        set_preference(session, user_id, key, str(values[field]))
    return good


def reader_style(session: Session, user_id: int) -> ReaderStyle:
    """How the reader writes for this person: their preferences and dominant hand."""
    hand = get_preference(session, user_id, "dominant_hand")
    return load_preferences(session, user_id).style(
        next((item for item in HANDS if item == hand), None)
    )
