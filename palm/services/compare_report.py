"""The comparison a page shows, and the quick picks that choose what to compare."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import Reading, ReadingStatus
from palm.services import compare_narrative
from palm.services.compare import (
    CompareItem,
    MetricDiff,
    ShapeShift,
    load_items,
    metric_diffs,
    shape_shifts,
)
from palm.services.explore_query import Viewer
from palm.services.shares import reading_label, shared_with


@dataclass(frozen=True)
class Comparison:
    items: list[CompareItem]
    diffs: list[MetricDiff]
    shifts: list[ShapeShift]
    narrative: list[str]
    compatibility: int | None

    @property
    def owners(self) -> list[int]:
        return sorted({item.owner_id for item in self.items})


def compare_readings(session: Session, viewer: Viewer, reading_ids: Sequence[int]) -> Comparison:
    """Everything the compare page shows, for readings the viewer may see (else not found)."""
    items = load_items(session, viewer, reading_ids)
    score = compare_narrative.compatibility(items)
    paragraphs = compare_narrative.narrative(items)
    if score is not None:
        paragraphs.append(
            f"Compatibility {score}/100. {compare_narrative.compatibility_sentence(score)}"
        )
    return Comparison(
        items=items,
        diffs=metric_diffs(items),
        shifts=shape_shifts(items),
        narrative=paragraphs,
        compatibility=score,
    )


def _done(user_id: int) -> object:
    return select(Reading.id).where(
        Reading.user_id == user_id, Reading.status == ReadingStatus.DONE
    )


def left_and_right_of_latest(session: Session, user_id: int) -> list[int]:
    """The newest finished reading of each hand (empty unless both hands were read)."""
    picks = []
    for hand in ("left", "right"):
        query = _done(user_id).where(Reading.hand == hand)  # type: ignore[attr-defined]
        found = session.scalar(
            query.order_by(Reading.created_at.desc(), Reading.id.desc()).limit(1)
        )
        if found is not None:
            picks.append(int(found))
    return picks if len(picks) == 2 else []


def first_and_latest(session: Session, user_id: int) -> list[int]:
    """The oldest and the newest finished readings (empty with fewer than two)."""
    oldest = session.scalar(_done(user_id).order_by(Reading.created_at, Reading.id).limit(1))  # type: ignore[attr-defined]
    newest = session.scalar(
        _done(user_id).order_by(Reading.created_at.desc(), Reading.id.desc()).limit(1)  # type: ignore[attr-defined]
    )
    if oldest is None or newest is None or oldest == newest:
        return []
    return [int(oldest), int(newest)]


@dataclass(frozen=True)
class Choice:
    reading_id: int
    label: str
    shared_by: str | None


def comparable_choices(session: Session, user_id: int, *, limit: int = 200) -> list[Choice]:
    """The user's newest finished readings, then readings shared with them."""
    query = (
        select(Reading)
        .where(Reading.user_id == user_id, Reading.status == ReadingStatus.DONE)
        .order_by(Reading.created_at.desc(), Reading.id.desc())
        .limit(limit)
    )
    own = [Choice(r.id, f"#{r.id} {reading_label(r)}", None) for r in session.scalars(query)]
    shared = [
        Choice(
            s.reading_id,
            f"#{s.reading_id} {s.reading_label} — shared by {s.owner_email}",
            s.owner_email,
        )
        for s in shared_with(session, user_id)
    ]
    return own + shared
