"""A sample palm read in a given style: the Preferences page's live preview."""

from __future__ import annotations

from palm.readers.offline import read_type
from palm.readers.style import ReaderStyle
from palm.readers.types import Interpretation
from palm.vision import HandShape, LineResult, PalmAnalysis
from palm.vocabulary import LINE_NAMES, AnalysisType

PREVIEW_SEED = "preview"


def _line(name: str, index: int) -> LineResult:
    return LineResult(
        name=name,
        found=True,
        points=[[10, 10 + index], [60, 40 + index]],
        length_rel=0.9 + 0.05 * index,
        depth=0.3,
        curvature=0.1,
        breaks=index % 2,
        branches=index % 3,
        confidence=0.8,
    )


#: A right hand, every line found, water shape.
SAMPLE_PALM = PalmAnalysis(
    version="sample",
    hand="right",
    palm_side="palm",
    width=1000,
    height=1200,
    lines={name: _line(name, index) for index, name in enumerate(LINE_NAMES)},
    hand_shape=HandShape(element="water", palm_ratio=1.4, finger_ratio=0.9),
    landmarks=[[100 + i, 200 + i] for i in range(21)],
)


def preview_reading(kind: AnalysisType, style: ReaderStyle) -> Interpretation:
    """How the offline reader would read the sample palm for ``kind`` in ``style``."""
    return read_type(SAMPLE_PALM, kind, seed=PREVIEW_SEED, style=style)
