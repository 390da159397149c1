"""History: the filtered, keyset-paginated list of readings (its streamed exports: export.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, null, select, tuple_
from sqlalchemy.orm import InstrumentedAttribute, Session

from palm.explore import mirror_reads, trends_rollup
from palm.explore.mirror import Mirror
from palm.explore.mirror_columns import micros
from palm.explore.query import (
    SHOW_EMAIL_PREFERENCE,
    ExploreFilter,
    Viewer,
    pseudonym,
    reading_conditions,
)
from palm.models import Preference, Reading, User

PAGE_SIZE = 50
#: Only what a row shows: never the analysis JSON (kilobytes per reading).
ROW_COLUMNS = (
    Reading.id,
    Reading.user_id,
    Reading.created_at,
    Reading.filename,
    Reading.hand,
    Reading.hand_shape,
    Reading.status,
    Reading.engine,
    Reading.analysis_types,
    Reading.summary,
)


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: after this (created_at, id), newest first."""

    created_at: datetime
    id: int


@dataclass(frozen=True)
class HistoryRow:
    id: int
    created_at: datetime
    owner: str
    is_own: bool
    filename: str
    hand: str | None
    hand_shape: str | None
    status: str
    engine: str | None
    analysis_types: list[str]
    lines_found: int
    mean_confidence: float | None
    summary: str | None


@dataclass(frozen=True)
class HistoryPage:
    rows: list[HistoryRow]
    next_cursor: Cursor | None

    @property
    def in_flight(self) -> bool:
        """Rows a worker will still change (their status changes are not all announced)."""
        return any(row.status in ("queued", "running") for row in self.rows)


def rows_query(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    columns: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]] = ROW_COLUMNS,
    *,
    whole_set: bool = False,
) -> Select[*tuple[Any, ...]]:
    """Every matching reading, newest first: ``columns`` (a row's, unless an export reads them
    its own way), then lines_found, mean_confidence and what the owner label needs (email,
    opt_in). ``whole_set``: every row will be read (an export), see ``reading_conditions``."""
    found, confidence = Reading.lines_found, Reading.mean_confidence  # kept with the lines
    query: Select[*tuple[Any, ...]] = select(*columns, found, confidence)
    query = query.where(*reading_conditions(session, viewer, criteria, whole_set=whole_set))
    if viewer.sees_everyone:
        opt_in = and_(
            Preference.user_id == Reading.user_id, Preference.key == SHOW_EMAIL_PREFERENCE
        )
        query = (
            query.add_columns(User.email.label("email"), Preference.value.label("opt_in"))
            .join(User, User.id == Reading.user_id)
            .outerjoin(Preference, opt_in)
        )
    else:
        query = query.add_columns(null().label("email"), null().label("opt_in"))
    return query.order_by(Reading.created_at.desc(), Reading.id.desc())


def owner_label(viewer: Viewer, owner_id: int, email: Any, opt_in: Any) -> str:
    """ "you", the e-mail of an owner who opted in to showing it, else their pseudonym."""
    if owner_id == viewer.user_id:
        return "you"
    if isinstance(opt_in, str) and json.loads(opt_in) is True:
        return str(email)
    return pseudonym(owner_id, viewer.secret)


def _row(viewer: Viewer, values: Any) -> HistoryRow:
    confidence = values.mean_confidence
    return HistoryRow(
        id=values.id,
        created_at=values.created_at,
        owner=owner_label(viewer, values.user_id, values.email, values.opt_in),
        is_own=values.user_id == viewer.user_id,
        filename=values.filename,
        hand=values.hand,
        hand_shape=values.hand_shape,
        status=values.status,
        engine=values.engine,
        analysis_types=list(values.analysis_types or []),
        lines_found=int(values.lines_found or 0),
        mean_confidence=round(float(confidence), 3) if confidence is not None else None,
        summary=values.summary,
    )


def history_page(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    *,
    after: Cursor | None = None,
    limit: int = PAGE_SIZE,
    mirror: Mirror | None = None,
) -> HistoryPage:
    """One page, keyset-paginated on (created_at, id): ties on the timestamp never skip or
    repeat a row, and a deep page costs what the first one does. A text search over everyone
    takes the page's ids from the ``mirror`` when it has loaded: the blind index cannot be
    walked in date order, so SQL would gather every match first."""
    ids = _mirrored_page(session, viewer, criteria, after, limit + 1, mirror)
    if ids is not None:
        query = rows_query(session, viewer, ExploreFilter()).where(Reading.id.in_(ids))
    else:
        query = rows_query(session, viewer, criteria).limit(limit + 1)
    if after is not None:
        query = query.where(tuple_(Reading.created_at, Reading.id) < (after.created_at, after.id))
    rows = [_row(viewer, values) for values in session.execute(query)]
    # More follow when the mirror listed more, even if one of them was deleted before its row
    # was read (then the page is a row short, and the walk goes on from its last row).
    more = len(rows) > limit or (ids is not None and len(ids) > limit)
    rows = rows[:limit]
    cursor = Cursor(rows[-1].created_at, rows[-1].id) if more and rows else None
    return HistoryPage(rows=rows, next_cursor=cursor)


def _mirrored_page(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    after: Cursor | None,
    limit: int,
    mirror: Mirror | None,
) -> list[int] | None:
    if mirror is None or not criteria.text or not mirror.serves(viewer):
        return None
    cut = (micros(after.created_at), after.id) if after is not None else None
    return mirror.answer(
        session,
        "page",
        criteria,
        lambda columns, mask: mirror_reads.page_ids(columns, mask, cut, limit),
    )


def count_matching(
    session: Session,
    viewer: Viewer,
    criteria: ExploreFilter,
    *,
    rollups: bool = True,
    mirror: Mirror | None = None,
) -> int:
    """From the rollups if they answer the filter, else from the ``mirror`` if it has
    loaded, else raw."""
    if rollups and trends_rollup.serves_counts(viewer, criteria):
        return trends_rollup.count(session, viewer, criteria)
    if mirror is not None and mirror.serves(viewer):
        answered = mirror.answer(session, "count", criteria, mirror_reads.count)
        if answered is not None:
            return answered
    query = select(func.count(Reading.id)).where(*reading_conditions(session, viewer, criteria))
    return int(session.scalar(query) or 0)
