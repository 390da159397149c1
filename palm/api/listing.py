"""The History filters as query parameters, and the opaque keyset cursor of a page."""

from __future__ import annotations

import base64
import json
import re
from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import BeforeValidator, ValidationError

from palm.api.problems import ApiError
from palm.explore import Cursor, ExploreFilter
from palm.vocabulary import LINE_NAMES, AnalysisType, Hand, ReadingStatus

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
LINE_PATTERN = f"^({'|'.join(LINE_NAMES)})$"


def encode_cursor(cursor: Cursor) -> str:
    raw = json.dumps([cursor.created_at.isoformat(), cursor.id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str | None) -> Cursor | None:
    """The cursor a ``next`` link carried; anything else is BAD_CURSOR (422)."""
    if not text:
        return None
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        stamp, reading_id = json.loads(raw)
        created = datetime.fromisoformat(stamp)
        if created.tzinfo is None or not isinstance(reading_id, int):
            raise ValueError("naive or malformed")
        return Cursor(created, reading_id)
    except (ValueError, TypeError, UnicodeDecodeError):
        raise ApiError("BAD_CURSOR", "This cursor is not one a page returned.") from None


def _iso_day(value: object) -> object:
    """A day as the schema says (YYYY-MM-DD), not any number pydantic could read as one."""
    if isinstance(value, str) and not ISO_DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


Day = Annotated[date | None, BeforeValidator(_iso_day)]


def history_filter(
    date_from: Annotated[Day, Query(description="Readings from this day (UTC)")] = None,
    date_to: Annotated[Day, Query(description="Readings up to this day (UTC)")] = None,
    hand: Annotated[list[Hand], Query()] = [],  # noqa: B006 (FastAPI copies query defaults)
    status: Annotated[list[ReadingStatus], Query()] = [],  # noqa: B006
    analysis_type: Annotated[list[AnalysisType], Query()] = [],  # noqa: B006
    engine: Annotated[list[Annotated[str, Query(max_length=64)]], Query()] = [],  # noqa: B006
    line: Annotated[str | None, Query(pattern=LINE_PATTERN, description="A line's name")] = None,
    line_found: Annotated[bool | None, Query()] = None,
    confidence_min: Annotated[float, Query(ge=0.0, le=1.0)] = 0.0,
    confidence_max: Annotated[float, Query(ge=0.0, le=1.0)] = 1.0,
    text: Annotated[str, Query(max_length=200, description="Search the interpretations")] = "",
) -> ExploreFilter:
    """The History page's filter bar, one query parameter per widget."""
    try:
        return ExploreFilter(
            date_from=date_from,
            date_to=date_to,
            hands=tuple(hand),
            statuses=tuple(s.value for s in status),
            analysis_types=tuple(t.value for t in analysis_type),
            engines=tuple(engine),
            line=line,
            line_found=line_found,
            confidence_min=confidence_min,
            confidence_max=confidence_max,
            text=text,
        )
    except ValidationError as error:
        first = error.errors()[0]
        raise ApiError("BAD_FILTER", f"{first['loc'][0]}: {first['msg']}") from None
