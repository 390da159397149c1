"""The comparison a page shows, and the quick picks that choose what to compare."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from palm.explore import compare_narrative
from palm.explore.compare import (
    CompareItem,
    MetricDiff,
    ShapeShift,
    load_items,
    metric_diffs,
    shape_shifts,
)
from palm.explore.query import Viewer
from palm.explore.shares import reading_label, shared_with
from palm.readings import finished_readings
from palm.vocabulary import HANDS, DayLabel, Hand, utc_day


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

    def told(self, day: DayLabel) -> list[str]:
        """The narrative with its days written by ``day`` (a person's format and zone; the
        ``narrative`` field, as cached and served by the API, writes UTC days)."""
        return _paragraphs(self.items, self.compatibility, day)


def _paragraphs(items: Sequence[CompareItem], score: int | None, day: DayLabel) -> list[str]:
    paragraphs = compare_narrative.narrative(items, day)
    if score is not None:
        paragraphs.append(
            f"Compatibility {score}/100. {compare_narrative.compatibility_sentence(score)}"
        )
    return paragraphs


def compare_readings(session: Session, viewer: Viewer, reading_ids: Sequence[int]) -> Comparison:
    """Everything the compare page shows, for readings the viewer may see (else not found)."""
    items = load_items(session, viewer, reading_ids)
    score = compare_narrative.compatibility(items)
    return Comparison(
        items=items,
        diffs=metric_diffs(items),
        shifts=shape_shifts(items),
        narrative=_paragraphs(items, score, utc_day),
        compatibility=score,
    )


def left_and_right_of_latest(session: Session, user_id: int) -> list[int]:
    """The newest finished reading of each hand (empty unless both hands were read)."""
    picks = [finished_readings(session, user_id, limit=1, hand=hand) for hand in HANDS]
    return [found[0].id for found in picks] if all(picks) else []


def first_and_latest(session: Session, user_id: int) -> list[int]:
    """The oldest and the newest finished readings of the hand read last (a change over time
    compares one hand with itself); empty with fewer than two of that hand."""
    newest = finished_readings(session, user_id, limit=1)
    if not newest:
        return []
    hand: Hand | None = newest[0].hand if newest[0].hand in HANDS else None
    oldest = finished_readings(session, user_id, limit=1, hand=hand, oldest_first=True)
    if not oldest or oldest[0].id == newest[0].id:
        return []
    return [oldest[0].id, newest[0].id]


@dataclass(frozen=True)
class Choice:
    reading_id: int
    label: str
    shared_by: str | None


def comparable_choices(
    session: Session, user_id: int, *, limit: int = 200, day: DayLabel = utc_day
) -> list[Choice]:
    """The user's newest finished readings, then readings shared with them."""
    own = [
        Choice(r.id, f"#{r.id} {reading_label(r, day)}", None)
        for r in finished_readings(session, user_id, limit=limit)
    ]
    shared = [
        Choice(
            s.reading_id,
            f"#{s.reading_id} {s.reading_label} — shared by {s.owner_email}",
            s.owner_email,
        )
        for s in shared_with(session, user_id, day=day)
    ]
    return own + shared
