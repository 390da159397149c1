"""Compare 2–4 finished readings: lines in one canonical palm frame, metric diffs, narrative.

Lines are mapped with the vision engine's own frame affine (palm.vision.frame: a least-squares
fit of landmarks 0, 5, 9, 13, 17 that includes the mirror), so a right hand and a left hand
land thumb-left and the same line sits in the same place whoever's palm it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.explore.query import Viewer, pseudonym
from palm.explore.shares import is_shared_with
from palm.models import LineResult, Reading, User
from palm.readings import ReadingNotFoundError
from palm.vision import fit_frame_affine, frame_to_units
from palm.vocabulary import LINE_NAMES, DayLabel, ReadingStatus, utc_day

METRICS = ("length_rel", "depth", "curvature", "breaks", "branches", "confidence")
MIN_READINGS, MAX_READINGS = 2, 4


class CompareError(PalmError):
    """Why these readings cannot be compared."""


@dataclass(frozen=True)
class LineSnapshot:
    line: str
    found: bool
    length_rel: float
    depth: float
    curvature: float
    breaks: int
    branches: int
    confidence: float
    #: Polyline in canonical palm units (index knuckle (0, 0), little-finger knuckle (1, 0)).
    points: list[list[float]]


@dataclass(frozen=True)
class CompareItem:
    reading_id: int
    owner_id: int
    owner: str
    created_at: datetime
    filename: str
    hand: str | None
    hand_shape: str | None
    lines: dict[str, LineSnapshot]

    @property
    def label(self) -> str:
        return self.labelled(utc_day)

    def labelled(self, day: DayLabel) -> str:
        """ "#12 Left · <day>", the day as ``day`` writes it (a person's own format and zone)."""
        return f"#{self.reading_id} {(self.hand or '?').title()} · {day(self.created_at)}"


@dataclass(frozen=True)
class MetricDiff:
    """One metric of one line across the readings; deltas are against the first reading."""

    line: str
    metric: str
    values: list[float | None]
    deltas: list[float | None]


@dataclass(frozen=True)
class ShapeShift:
    """Mean distance (palm widths) between a line's course and the first reading's."""

    line: str
    shifts: list[float | None]


def to_canonical(
    points: Sequence[Sequence[float]], landmarks: Sequence[Sequence[float]]
) -> list[list[float]]:
    """Original-photo pixels → palm units of the engine's canonical frame."""
    if not points:
        return []
    affine = fit_frame_affine(np.asarray(landmarks, dtype=np.float64))
    pixels = np.asarray(points, dtype=np.float64).reshape(-1, 2) @ affine[:, :2].T + affine[:, 2]
    units = frame_to_units(pixels)
    return [[round(float(x), 4), round(float(y), 4)] for x, y in units]


def _snapshots(analysis: dict[str, Any] | None, rows: list[LineResult]) -> dict[str, LineSnapshot]:
    """Metrics from the line rows; courses from the stored analysis when it has landmarks."""
    landmarks = (analysis or {}).get("landmarks") or []
    stored = (analysis or {}).get("lines", {})
    snapshots = {}
    for row in rows:
        raw_points = stored.get(row.line, {}).get("points") or row.polyline
        points = to_canonical(raw_points, landmarks) if row.found and len(landmarks) == 21 else []
        snapshots[row.line] = LineSnapshot(
            line=row.line,
            found=row.found,
            length_rel=row.length_rel,
            depth=row.depth,
            curvature=row.curvature,
            breaks=row.breaks,
            branches=row.branches,
            confidence=row.confidence,
            points=points,
        )
    return snapshots


def _may_see(session: Session, viewer: Viewer, reading: Reading) -> bool:
    if reading.user_id == viewer.user_id or viewer.sees_everyone:
        return True
    return is_shared_with(session, reading.id, viewer.user_id)


def _owner_label(viewer: Viewer, owner: User) -> str:
    if owner.id == viewer.user_id:
        return "you"
    if viewer.sees_everyone:
        return pseudonym(owner.id, viewer.secret)
    return owner.email  # the owner shared it with this viewer by e-mail


def load_items(session: Session, viewer: Viewer, reading_ids: Sequence[int]) -> list[CompareItem]:
    """The readings in the order given, if the viewer may see each of them: their own, a
    reading actively shared with them, or anyone's for analysts. Others are 'not found'."""
    ids = list(dict.fromkeys(reading_ids))
    if not MIN_READINGS <= len(ids) <= MAX_READINGS:
        raise CompareError("COMPARE_COUNT", "Pick between two and four readings to compare.")
    readings = {r.id: r for r in session.scalars(select(Reading).where(Reading.id.in_(ids)))}
    if any(i not in readings or not _may_see(session, viewer, readings[i]) for i in ids):
        raise ReadingNotFoundError()
    if any(readings[i].status != ReadingStatus.DONE for i in ids):
        raise CompareError("COMPARE_NOT_DONE", "Only finished readings can be compared.")
    lines: dict[int, list[LineResult]] = {i: [] for i in ids}
    for row in session.scalars(select(LineResult).where(LineResult.reading_id.in_(ids))):
        lines[row.reading_id].append(row)
    owners = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({r.user_id for r in readings.values()}))
        )
    }
    return [
        CompareItem(
            reading_id=reading.id,
            owner_id=reading.user_id,
            owner=_owner_label(viewer, owners[reading.user_id]),
            created_at=reading.created_at,
            filename=reading.filename,
            hand=reading.hand,
            hand_shape=reading.hand_shape,
            lines=_snapshots(reading.analysis, lines[reading.id]),
        )
        for reading in (readings[i] for i in ids)
    ]


def _value(item: CompareItem, line: str, metric: str) -> float | None:
    snapshot = item.lines.get(line)
    if snapshot is None or not snapshot.found:
        return None
    return float(getattr(snapshot, metric))


def metric_diffs(items: Sequence[CompareItem]) -> list[MetricDiff]:
    """A row per (line, metric) present in any reading; missing or unfound lines are None."""
    diffs = []
    for line in LINE_NAMES:
        if not any(line in item.lines for item in items):
            continue
        for metric in METRICS:
            values = [_value(item, line, metric) for item in items]
            base = values[0]
            deltas = [
                None if base is None or value is None else round(value - base, 4)
                for value in values
            ]
            diffs.append(MetricDiff(line, metric, values, deltas))
    return diffs


def course_distance(a: list[list[float]], b: list[list[float]]) -> float | None:
    """Symmetric mean nearest-point distance between two polylines (palm units)."""
    if not a or not b:
        return None
    first, second = np.asarray(a), np.asarray(b)
    gaps = np.linalg.norm(first[:, None, :] - second[None, :, :], axis=2)
    return round(float((gaps.min(axis=1).mean() + gaps.min(axis=0).mean()) / 2), 4)


def shape_shifts(items: Sequence[CompareItem]) -> list[ShapeShift]:
    base = items[0]
    shifts = []
    for line in LINE_NAMES:
        first = base.lines.get(line)
        if first is None:
            continue
        shifts.append(
            ShapeShift(
                line,
                [
                    course_distance(first.points, other.lines[line].points)
                    if line in other.lines
                    else None
                    for other in items
                ],
            )
        )
    return shifts
