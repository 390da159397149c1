"""The versioned palmistry table and the metric bands it is keyed by.

Bands turn the vision engine's numbers (see palm.vision.metrics) into the words palmistry uses.
All thresholds live here, each with its reason, so a change is one edit and one version bump:

- length: ``length_rel`` divided by the line's REFERENCE_LENGTH (its template course length in
  palm widths, palm.vision.linemodel). Below SHORT_BELOW → short, at or above LONG_FROM → long.
- depth: mean black-hat lightness drop, 0–1 (1 = 64 grey levels). Under FAINT_BELOW (≈ 13 grey
  levels) a crease is barely visible; from DEEP_FROM (≈ 29 levels) it is a dark fold.
- curvature: sagitta ratio (0 straight, ~0.5 semicircle). Under STRAIGHT_BELOW the bow is
  under 6 % of the chord; from CURVED_FROM it is a visible arc (the life line's usual shape).
- breaks: 0 → unbroken, 1 → one_break, 2+ → broken.
- branches: 0 → none, 1–2 → some, 3+ → many.
- zones: the vision engine's zone names (palm.vision.linemodel.ZONES), keyed "start:<zone>" or
  "end:<zone>" where the table has something to say about them.

The phrasings are in ``palmistry_table.json`` (several per band); bump its "version" whenever
a text or a threshold changes, because cached and stored readings quote it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pydantic import BaseModel, Field

from palm.vision import LineResult
from palm.vocabulary import AnalysisType

#: Template course length of each line in palm widths (sum of its LINE_MODELS segments).
REFERENCE_LENGTH: dict[str, float] = {
    "heart": 0.95,
    "head": 1.08,
    "life": 1.25,
    "fate": 1.10,
    "sun": 0.73,
    "mercury": 0.88,
}
SHORT_BELOW = 0.75
LONG_FROM = 1.05
FAINT_BELOW = 0.20
DEEP_FROM = 0.45
STRAIGHT_BELOW = 0.06
CURVED_FROM = 0.15

Phrases = list[str]


class LinePhrases(BaseModel):
    """What the table says about one line inside one analysis type."""

    label: str
    length: dict[str, Phrases]
    curvature: dict[str, Phrases]
    zones: dict[str, Phrases] = Field(default_factory=dict)


class TypePhrases(BaseModel):
    """Everything one analysis type can say."""

    title: str
    features: dict[str, dict[str, Phrases]]
    lines: dict[str, LinePhrases]
    elements: dict[str, Phrases]
    closing: Phrases


class PalmistryTable(BaseModel):
    version: str
    missing: Phrases
    nothing_found: Phrases
    types: dict[AnalysisType, TypePhrases]


@lru_cache(maxsize=1)
def load_table() -> PalmistryTable:
    """The table shipped with the package, validated once per process."""
    raw = resources.files("palm.readers").joinpath("palmistry_table.json").read_text("utf-8")
    return PalmistryTable.model_validate(json.loads(raw))


def length_band(line: LineResult) -> str:
    ratio = line.length_rel / REFERENCE_LENGTH.get(line.name, 1.0)
    if ratio < SHORT_BELOW:
        return "short"
    return "long" if ratio >= LONG_FROM else "medium"


def depth_band(line: LineResult) -> str:
    if line.depth < FAINT_BELOW:
        return "faint"
    return "deep" if line.depth >= DEEP_FROM else "clear"


def curvature_band(line: LineResult) -> str:
    if line.curvature < STRAIGHT_BELOW:
        return "straight"
    return "curved" if line.curvature >= CURVED_FROM else "gentle"


def breaks_band(line: LineResult) -> str:
    return ("unbroken", "one_break")[line.breaks] if line.breaks < 2 else "broken"


def branches_band(line: LineResult) -> str:
    if line.branches == 0:
        return "none"
    return "some" if line.branches <= 2 else "many"


def line_bands(line: LineResult) -> dict[str, str]:
    """Every band of a line, by feature: what the table (and the LLM prompt) is keyed by."""
    return {
        "length": length_band(line),
        "curvature": curvature_band(line),
        "depth": depth_band(line),
        "breaks": breaks_band(line),
        "branches": branches_band(line),
    }
