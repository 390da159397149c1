"""Fast synthetic readings for explore tests: rows inserted directly, with a plausible stored
analysis (landmarks + line courses) built from the canonical frame's template."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from palm.models import Interpretation, LineResult, Reading
from palm.readings import line_stats, rollups, terms
from palm.vision import HandShape, PalmAnalysis
from palm.vision import LineResult as VisionLine
from palm.vision.arrays import Array
from palm.vision.frame import TEMPLATE

BASE_TIME = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WIDTH, HEIGHT = 1000, 1200
#: Line courses in palm units (thumb left), roughly where the engine finds them.
COURSES: dict[str, list[tuple[float, float]]] = {
    "heart": [(1.05, 0.25), (0.7, 0.2), (0.35, 0.22), (0.05, 0.12)],
    "head": [(-0.2, 0.4), (0.2, 0.5), (0.6, 0.6), (0.95, 0.7)],
    "life": [(-0.15, 0.35), (-0.1, 0.7), (0.0, 1.0), (0.15, 1.3)],
    "fate": [(0.55, 1.3), (0.52, 0.95), (0.5, 0.6), (0.48, 0.3)],
    "sun": [(0.8, 0.75), (0.79, 0.5), (0.78, 0.15)],
    "mercury": [(0.35, 1.2), (0.6, 0.85), (0.95, 0.4)],
}


@dataclass
class LineSpec:
    found: bool = True
    length_rel: float = 0.8
    depth: float = 0.5
    curvature: float = 0.1
    confidence: float = 0.8


def default_lines() -> dict[str, LineSpec]:
    return {name: LineSpec() for name in ("heart", "head", "life")}


def units_to_image(units: Array, mirror: bool) -> Array:
    """A fixed similarity (scale 400, slight rotation, offset) from palm units to pixels;
    ``mirror`` flips x across the photo, which is what a right hand looks like."""
    angle = 0.15
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    pixels: Array = units @ rotation.T * 400 + np.array([300.0, 350.0])
    if mirror:
        pixels[:, 0] = WIDTH - pixels[:, 0]
    return pixels


def synthetic_analysis(
    hand: str, lines: dict[str, LineSpec], shift: float = 0.0, shape: str = "earth"
) -> dict[str, Any]:
    """A complete stored analysis (PalmAnalysis.to_dict) for a left hand, or its mirror image
    for a right hand: every page and the chat can read it like an engine-made one."""
    mirror = hand == "right"
    landmarks = np.zeros((21, 2))
    for index, (x, y) in TEMPLATE.items():
        landmarks[index] = (x, y)
    landmarks = units_to_image(landmarks, mirror)
    results = {}
    for name, spec in lines.items():
        course = np.array(COURSES.get(name, COURSES["heart"])) + np.array([0.0, shift])
        points = units_to_image(course, mirror).round().astype(int).tolist() if spec.found else []
        results[name] = VisionLine(
            name=name,
            found=spec.found,
            points=points,
            length_rel=spec.length_rel,
            depth=spec.depth,
            curvature=spec.curvature,
            confidence=spec.confidence,
            start_zone="palm_centre",
            end_zone="palm_edge",
        )
    analysis = PalmAnalysis(
        version="synthetic",
        hand="right" if mirror else "left",
        palm_side="palm",
        width=WIDTH,
        height=HEIGHT,
        lines=results,
        hand_shape=HandShape(element=shape, palm_ratio=1.0, finger_ratio=0.8),  # type: ignore[arg-type]
        landmarks=landmarks.round().astype(int).tolist(),
    )
    return analysis.to_dict()


@dataclass
class ReadingSpec:
    user_id: int
    created_at: datetime = BASE_TIME
    hand: str = "left"
    status: str = "done"
    engine: str = "offline"
    hand_shape: str = "earth"
    analysis_types: list[str] = field(default_factory=lambda: ["life", "love"])
    lines: dict[str, LineSpec] = field(default_factory=default_lines)
    texts: dict[str, str] = field(default_factory=dict)
    shift: float = 0.0
    filename: str = "palm.jpg"


def add_reading(session: Any, spec: ReadingSpec) -> int:
    """Insert one reading with its lines and interpretations; returns its id (flushed)."""
    done = spec.status == "done"
    reading = Reading(
        user_id=spec.user_id,
        batch_id="b",
        filename=spec.filename,
        hand=spec.hand if done else None,
        analysis_types=spec.analysis_types,
        status=spec.status,
        engine=spec.engine if done else None,
        created_at=spec.created_at,
        hand_shape=spec.hand_shape if done else None,
        summary=f"{spec.hand} hand" if done else None,
        analysis=synthetic_analysis(spec.hand, spec.lines, spec.shift, spec.hand_shape)
        if done
        else None,
    )
    session.add(reading)
    session.flush()
    if not done:
        rollups.add_reading(session, reading, [])  # what the services do; see palm.readings.rollups
        return reading.id
    lines = []
    for name, line in spec.lines.items():
        lines.append(
            LineResult(
                reading_id=reading.id,
                line=name,
                found=line.found,
                polyline=[],
                length_rel=line.length_rel,
                depth=line.depth,
                curvature=line.curvature,
                confidence=line.confidence,
            )
        )
    session.add_all(lines)
    line_stats.refresh(session, reading)  # what store.replace_results does
    rollups.add_reading(session, reading, lines)
    interpretations = [
        Interpretation(
            reading_id=reading.id,
            analysis_type=kind,
            title=kind.title(),
            text=spec.texts.get(kind, f"A {kind} reading of a {spec.hand} palm."),
            engine=spec.engine,
        )
        for kind in spec.analysis_types
    ]
    session.add_all(interpretations)
    texts = [part for item in interpretations for part in (item.title, item.text)]
    terms.index_reading(session, reading.id, texts)  # as store.replace_results does
    session.flush()
    return reading.id


def days(n: float) -> timedelta:
    return timedelta(days=n)
