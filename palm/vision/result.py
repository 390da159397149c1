"""Typed, JSON-serialisable results of the vision engine (no arrays, no images inside).

``PalmAnalysis.to_dict()`` is what workers store and the CLI prints; ``PalmAnalysis.from_dict``
reads it back. Coordinates are pixels of the upright original photo (``width`` × ``height``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from palm.vision.thresholds import FAINT_CONFIDENCE

ALGORITHM_VERSION = "vision-2.6"
Element = Literal["earth", "air", "fire", "water"]


@dataclass
class LineResult:
    """One palm line. When ``found`` is False the numbers describe the best (rejected) candidate
    path, ``points`` is empty, and readers must not interpret it."""

    name: str
    found: bool
    points: list[list[int]] = field(default_factory=list)
    length_rel: float = 0.0
    depth: float = 0.0
    curvature: float = 0.0
    breaks: int = 0
    branches: int = 0
    start_zone: str = ""
    end_zone: str = ""
    confidence: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def faint(self) -> bool:
        """Found, but on thin evidence (confidence under FAINT_CONFIDENCE): shown, said so."""
        return is_faint(self.found, self.confidence)


def is_faint(found: bool, confidence: float | None) -> bool:
    """A found line whose confidence is under FAINT_CONFIDENCE (also for stored lines)."""
    return found and float(confidence or 0.0) < FAINT_CONFIDENCE


@dataclass
class HandShape:
    """Classical element type with the two ratios it is derived from (see palm.vision.shape)."""

    element: Element
    palm_ratio: float
    finger_ratio: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class PalmAnalysis:
    """Everything the engine found in one photo."""

    version: str
    hand: Literal["left", "right"]
    palm_side: Literal["palm"]
    width: int
    height: int
    lines: dict[str, LineResult]
    hand_shape: HandShape
    landmarks: list[list[int]]
    warnings: list[str] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    quality: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PalmAnalysis:
        """Rebuild from :meth:`to_dict` output (e.g. a stored reading)."""
        values = dict(data)
        values["lines"] = {k: LineResult(**v) for k, v in data["lines"].items()}
        values["hand_shape"] = HandShape(**data["hand_shape"])
        return cls(**values)

    @property
    def found_lines(self) -> list[str]:
        return [name for name, line in self.lines.items() if line.found]
