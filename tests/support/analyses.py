"""Hand-made PalmAnalysis objects: readers and chat tests control every metric."""

from __future__ import annotations

from palm.vision import HandShape, LineResult, PalmAnalysis


def make_line(name: str, found: bool = True, **metrics: object) -> LineResult:
    values: dict[str, object] = {
        "length_rel": 1.0,
        "depth": 0.3,
        "curvature": 0.1,
        "breaks": 0,
        "branches": 0,
        "start_zone": "",
        "end_zone": "",
        "confidence": 0.8,
    }
    values.update(metrics)
    points = [[10, 10], [50, 40], [90, 60]] if found else []
    return LineResult(name=name, found=found, points=points, **values)  # type: ignore[arg-type]


def make_analysis(
    lines: list[LineResult], *, hand: str = "right", element: str = "fire"
) -> PalmAnalysis:
    return PalmAnalysis(
        version="vision-1.0",
        hand=hand,  # type: ignore[arg-type]
        palm_side="palm",
        width=1200,
        height=1600,
        lines={line.name: line for line in lines},
        hand_shape=HandShape(element=element, palm_ratio=1.52, finger_ratio=0.9),  # type: ignore[arg-type]
        landmarks=[[100 + i, 200 + i] for i in range(21)],
    )
