"""What every explore query shares: who is asking, the filter, and the WHERE it becomes.

Users see their own readings; analysts and admins see everyone's, with each owner shown as a
keyed pseudonym (HMAC of the user id) unless that owner opted in to showing their e-mail.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    exists,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from palm.infra import ensure_dev_key
from palm.models import LineResult, Reading, ReadingTerm
from palm.readings import search_terms, term_key_of
from palm.settings import Settings
from palm.vocabulary import ANALYSIS_TYPES, LINE_NAMES, Role

#: Preference key: "show my e-mail to analysts" (JSON true/false; absent means no).
SHOW_EMAIL_PREFERENCE = "explore_show_email"


@dataclass(frozen=True)
class Viewer:
    """Who is asking; ``secret`` keys the owner pseudonyms analysts see."""

    user_id: int
    role: Role
    secret: bytes = b""

    @property
    def sees_everyone(self) -> bool:
        return self.role in (Role.ANALYST, Role.ADMIN)

    @property
    def scope(self) -> str:
        """Cache scope: one per user for own views, one per role for cross-user views."""
        return f"{self.role.value}:all" if self.sees_everyone else f"user:{self.user_id}"


def pseudonym(user_id: int, secret: bytes) -> str:
    """Stable per deployment, not reversible without the secret (ids are easy to enumerate)."""
    digest = hmac.new(secret or b"palmline", str(user_id).encode(), hashlib.sha256)
    return "u-" + digest.hexdigest()[:10]


def secret_from_key(key_material: str) -> bytes:
    """A pseudonym secret derived from a deployment key, separate from its other uses."""
    return hashlib.sha256(b"palmline/explore-pseudonym/" + key_material.encode()).digest()


class ExploreFilter(BaseModel):
    """The filter bar. Normalised on construction, so equal filters hash alike."""

    model_config = ConfigDict(frozen=True)

    date_from: date | None = None
    date_to: date | None = None
    hands: tuple[str, ...] = ()
    analysis_types: tuple[str, ...] = ()
    engines: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    line: str | None = None
    line_found: bool | None = None
    confidence_min: float = Field(default=0.0, ge=0.0, le=1.0)
    confidence_max: float = Field(default=1.0, ge=0.0, le=1.0)
    text: str = ""

    @field_validator("hands", "analysis_types", "engines", "statuses", mode="after")
    @classmethod
    def _sorted_unique(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(sorted({value.strip() for value in values if value.strip()}))

    @field_validator("text", mode="after")
    @classmethod
    def _clean_text(cls, value: str) -> str:
        return " ".join(value.split())[:100]

    @field_validator("line", mode="after")
    @classmethod
    def _known_line(cls, value: str | None) -> str | None:
        if value is not None and value not in LINE_NAMES:
            raise ValueError(f"unknown line {value!r}")
        return value

    def digest(self) -> str:
        """Short hash of the normalised filter, for cache keys."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()[:16]

    @property
    def narrows_lines(self) -> bool:
        confidence_narrowed = self.confidence_min > 0.0 or self.confidence_max < 1.0
        return self.line is not None or self.line_found is not None or confidence_narrowed


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _line_condition(criteria: ExploreFilter, *, as_set: bool = False) -> ColumnElement[bool]:
    """A line of the reading (the chosen one, or any) matches found-ness and confidence.

    An alias, so the subquery stays correlated to the reading even in queries that join
    line_results themselves (the trends). ``as_set``: the matching readings' ids as one
    uncorrelated set (``IN``) instead, for a query that reads every match (an export): one
    pass over the line rows instead of a probe per reading in scope.
    """
    line = aliased(LineResult)
    conditions: list[ColumnElement[bool]] = [] if as_set else [line.reading_id == Reading.id]
    if criteria.line is not None:
        conditions.append(line.line == criteria.line)
    if criteria.line_found is not None:
        conditions.append(line.found.is_(criteria.line_found))
    if criteria.confidence_min > 0.0:
        conditions.append(line.confidence >= criteria.confidence_min)
    if criteria.confidence_max < 1.0:
        conditions.append(line.confidence <= criteria.confidence_max)
    if as_set:
        return Reading.id.in_(select(line.reading_id).where(*conditions))
    return exists(select(line.id).where(*conditions).correlate(Reading))


def _has_term(value: int) -> ColumnElement[bool]:
    return Reading.id.in_(select(ReadingTerm.reading_id).where(ReadingTerm.term == value))


def _text_condition(session: Session, criteria: ExploreFilter) -> ColumnElement[bool]:
    """Every search word's term belongs to the reading: the blind index of the encrypted
    texts (palm.readings.terms), in SQL; no text is decrypted."""
    terms = search_terms(term_key_of(session.get_bind().dialect), criteria.text)
    return and_(*[_has_term(value) for value in terms]) if terms else false()


def _type_condition(types: tuple[str, ...]) -> ColumnElement[bool]:
    """Membership in the JSON list, portable across SQLite and PostgreSQL (quoted token)."""
    text = cast(Reading.analysis_types, String)
    known = [kind for kind in types if kind in ANALYSIS_TYPES]
    return or_(*[text.contains(f'"{kind}"') for kind in known]) if known else false()


def reading_conditions(
    session: Session, viewer: Viewer, criteria: ExploreFilter, *, whole_set: bool = False
) -> list[ColumnElement[bool]]:
    """The WHERE of every explore query: the viewer's scope, then the filter (a text filter
    through the blind index of the texts, see ``_text_condition``). ``whole_set``: the query
    reads every match, not a page (the line filter as a set, see ``_line_condition``)."""
    conditions: list[ColumnElement[bool]] = []
    if not viewer.sees_everyone:
        conditions.append(Reading.user_id == viewer.user_id)
    if criteria.date_from is not None:
        conditions.append(Reading.created_at >= day_start(criteria.date_from))
    if criteria.date_to is not None:
        conditions.append(Reading.created_at < day_start(criteria.date_to + timedelta(days=1)))
    if criteria.hands:
        conditions.append(Reading.hand.in_(criteria.hands))
    if criteria.statuses:
        conditions.append(Reading.status.in_(criteria.statuses))
    if criteria.engines:
        conditions.append(Reading.engine.in_(criteria.engines))
    if criteria.analysis_types:
        conditions.append(_type_condition(criteria.analysis_types))
    if criteria.narrows_lines:
        conditions.append(_line_condition(criteria, as_set=whole_set))
    if criteria.text:
        conditions.append(_text_condition(session, criteria))
    return conditions


def deployment_secret(settings: Settings) -> bytes:
    """The pseudonym secret of this deployment: from the oldest configured encryption key
    (rotation adds keys in front), else the development key in the data directory."""
    if settings.palm_encryption_keys is not None:
        keys = [k.strip() for k in settings.palm_encryption_keys.get_secret_value().split(",")]
        if any(keys):
            return secret_from_key([k for k in keys if k][-1])
    return secret_from_key(ensure_dev_key(settings.palm_data_dir))
