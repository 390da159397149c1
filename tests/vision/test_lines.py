"""Lines: found on every palm, inside the hand, mirrored with the photo, honest when absent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import PalmFrame, fit_frame_affine, palm_mask, units_to_frame
from palm.vision.linemodel import LINE_MODELS
from palm.vision.lines import find_lines, minor_duplicates
from palm.vision.metrics import line_confidence, winding
from palm.vision.pipeline import analyze_bytes
from palm.vision.result import ALGORITHM_VERSION, LineResult, PalmAnalysis
from palm.vision.tracing import TracedPath

PRINCIPAL = ("heart", "head", "life")


def _bbox(landmarks: list[list[int]], margin: float) -> tuple[float, float, float, float]:
    points = np.asarray(landmarks, dtype=float)
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = margin * np.linalg.norm(points[5] - points[17])
    return lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad


def test_principal_lines_found_with_metrics(samples, palm_name: str) -> None:
    analysis = samples.analysis(palm_name)
    for name in PRINCIPAL:
        line = analysis.lines[name]
        assert line.found and len(line.points) >= 10
        assert 0.4 < line.length_rel < 2.0
        assert 0 < line.depth <= 1 and 0 <= line.curvature < 1 and 0 < line.confidence <= 1
        assert line.breaks >= 0 and line.branches >= 0 and line.start_zone and line.end_zone
    assert analysis.lines["life"].start_zone in ("thumb_web", "under_index", "under_middle")
    assert analysis.lines["heart"].start_zone in ("under_little", "palm_edge")


def test_lines_keep_their_order_down_the_palm(samples, palm_name: str) -> None:
    """Heart lies nearer the fingers than head; life ends nearer the wrist than head."""
    analysis = samples.analysis(palm_name)
    landmarks = np.asarray(analysis.landmarks, dtype=float)
    matrix = fit_frame_affine(landmarks)

    def frame_y(name: str) -> Array:
        points = np.asarray(analysis.lines[name].points, dtype=float)
        values: Array = points @ matrix[:, :2].T[:, 1] + matrix[1, 2]
        return values

    assert np.median(frame_y("heart")) < np.median(frame_y("head"))
    assert frame_y("life").max() > frame_y("head").max()


def test_polylines_land_inside_the_hand(samples, palm_name: str) -> None:
    analysis = samples.analysis(palm_name)
    x0, y0, x1, y1 = _bbox(analysis.landmarks, margin=0.25)
    for line in analysis.lines.values():
        for x, y in line.points:
            assert x0 <= x <= x1 and y0 <= y <= y1
            assert 0 <= x < analysis.width and 0 <= y < analysis.height


def test_mirrored_photo_gives_mirrored_lines(samples, palm_name: str) -> None:
    original = samples.analysis(palm_name)
    mirrored = analyze_bytes(samples.encode(samples.rgb(palm_name)[:, ::-1], "PNG"))
    assert mirrored.hand != original.hand
    palm_width = np.linalg.norm(np.subtract(original.landmarks[5], original.landmarks[17]))
    for name in PRINCIPAL:
        ours = np.asarray(original.lines[name].points, dtype=float)
        theirs = np.asarray(mirrored.lines[name].points, dtype=float)
        theirs[:, 0] = original.width - 1 - theirs[:, 0]
        # symmetric mean distance between the polylines
        distance = np.linalg.norm(ours[:, None] - theirs[None], axis=2)
        mean_gap = (distance.min(axis=1).mean() + distance.min(axis=0).mean()) / 2
        assert mean_gap < 0.06 * palm_width, name


def test_result_is_json_and_round_trips(samples) -> None:
    analysis = samples.analysis("palm_m_hanging")
    text = json.dumps(analysis.to_dict())
    again = PalmAnalysis.from_dict(json.loads(text))
    assert again == analysis
    assert analysis.version == ALGORITHM_VERSION
    assert set(analysis.timings_ms) >= {"load", "landmarks", "lines", "metrics", "total"}
    assert set(analysis.lines) == set(LINE_MODELS)


def test_lines_not_found_have_no_points(samples, palm_name: str) -> None:
    # a clear crease rejected as too short keeps its evidence, capped at the found mark
    for line in samples.analysis(palm_name).lines.values():
        assert line.found or (line.points == [] and line.confidence <= th.FOUND_CONFIDENCE)


def _synthetic_frame(draw: tuple[str, ...], size: int = 256) -> PalmFrame:
    """A uniform skin-coloured palm frame with noise and dark creases along chosen templates."""
    rng = np.random.default_rng(7)
    rgb = np.empty((size, size, 3), np.float64)
    rgb[:] = (205, 160, 140)
    rgb += rng.normal(0, 4, size=(size, size, 1))
    for name in draw:
        course = units_to_frame(np.array(LINE_MODELS[name].course), size)
        cv2.polylines(
            rgb, [np.round(course).astype(np.int32)], False, (150, 100, 85), 3, cv2.LINE_AA
        )
    image = cv2.GaussianBlur(np.clip(rgb, 0, 255).astype(np.uint8), (0, 0), 0.8)
    identity = np.array([[1.0, 0, 0], [0, 1.0, 0]])
    return PalmFrame(
        rgb=image,
        inside=np.ones((size, size), bool),
        palm_mask=palm_mask(size),
        to_frame=identity,
        to_image=identity,
        palm_width_px=size / 1.7,
    )


def test_blank_palm_reports_every_line_not_found() -> None:
    lines = find_lines(_synthetic_frame(()))
    assert [name for name, line in lines.items() if line.found] == []


@pytest.mark.parametrize(
    "drawn", [("heart",), ("head",), ("life",), ("heart", "life"), ("heart", "head", "life")]
)
def test_only_drawn_creases_are_found(drawn: tuple[str, ...]) -> None:
    lines = find_lines(_synthetic_frame(drawn))
    assert sorted(name for name, line in lines.items() if line.found) == sorted(drawn)


@dataclass(frozen=True)
class _Path:
    contrast: float
    strength: float
    coverage: float


def test_a_clear_crease_just_under_one_old_cut_is_still_a_line() -> None:
    # vision-1.0 threw this out as "weak" (strength cut 0.35) despite its contrast and coverage
    assert line_confidence(_Path(8.0, 0.34, 0.9), principal=True) >= th.FOUND_CONFIDENCE


def test_strength_and_coverage_cannot_stand_in_for_contrast() -> None:
    # a path across the noise of a blank palm: normalised strength is high, contrast is not
    assert line_confidence(_Path(1.4, 0.6, 0.9), principal=True) < th.FOUND_CONFIDENCE


def test_confidence_has_no_step_at_the_old_contrast_cut() -> None:
    below, above = (line_confidence(_Path(c, 0.5, 0.8), principal=True) for c in (3.9, 4.1))
    assert 0 < above - below < 0.05


@pytest.mark.parametrize("field", ["contrast", "strength", "coverage"])
def test_more_evidence_never_lowers_confidence(field: str) -> None:
    base = {"contrast": 4.0, "strength": 0.4, "coverage": 0.6}
    values = [
        line_confidence(_Path(**{**base, field: base[field] * k}), principal=True)
        for k in (0.5, 0.8, 1.0, 1.3, 1.7)
    ]
    assert values == sorted(values) and values[0] < values[-1]


def test_a_minor_line_needs_more_than_a_principal_one() -> None:
    evidence = _Path(5.0, 0.4, 0.6)
    assert line_confidence(evidence, principal=False) < line_confidence(evidence, principal=True)


def test_a_found_line_on_thin_evidence_is_faint() -> None:
    assert LineResult("fate", True, confidence=0.5).faint
    assert not LineResult("fate", True, confidence=0.9).faint
    assert not LineResult("fate", False, confidence=0.2).faint


def _gap(a: Array, b: Array) -> float:
    """Symmetric median distance between two polylines' points."""
    distances = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    return float(max(np.median(distances.min(axis=1)), np.median(distances.min(axis=0))))


def test_graded_correct_dev_lines_stay_where_they_were_recorded() -> None:
    data = Path(__file__).resolve().parents[1] / "data" / "palms"
    recorded = json.loads((data / "dev_fills_frame.lines.json").read_text())
    analysis = analyze_bytes((data / "dev_fills_frame.jpg").read_bytes())
    palm_width = np.linalg.norm(np.subtract(analysis.landmarks[5], analysis.landmarks[17]))
    for name, points in recorded["lines"].items():
        line = analysis.lines[name]
        assert line.found, name
        gap = _gap(np.asarray(line.points, float), np.asarray(points, float))
        assert gap < 0.04 * palm_width, (name, gap / palm_width)


def _straight(start: tuple[float, float], end: tuple[float, float], count: int) -> TracedPath:
    points = np.linspace(start, end, count)
    return TracedPath(points=points, strength=np.ones(count), depth=np.ones(count))


def test_of_two_found_minor_lines_on_one_crease_the_one_lying_on_the_other_goes() -> None:
    sun = _straight((180, 200), (170, 60), 70)
    fate = _straight((181, 230), (176, 130), 50)  # its upper 70 % runs along the sun
    paths: dict[str, TracedPath | None] = {"fate": fate, "sun": sun, "mercury": None}
    assert minor_duplicates(paths, found={"fate", "sun"}) == {"fate"}
    assert minor_duplicates(paths, found={"fate"}) == set()  # a sun not found takes nothing


def test_a_fate_line_that_zigzags_is_not_a_fate_line() -> None:
    assert winding(_straight((0, 0), (0, 100), 20).points) == pytest.approx(1.0)
    zigzag = np.array([[0, 0], [12, 20], [0, 40], [12, 60], [0, 80]], float)
    assert winding(zigzag) > th.MAX_WINDING["fate"]
