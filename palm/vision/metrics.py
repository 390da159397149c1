"""Measurements of one traced line, and the found / not-found decision.

All lengths are in palm units (1 = index-to-little-finger knuckle distance), so they do not
depend on the photo's resolution. Definitions:
- length_rel: arc length of the path / palm width.
- depth: mean black-hat lightness drop along the path (0–1, 1 = 96 grey levels after CLAHE).
- curvature: sagitta ratio, the largest distance of the path from its chord / chord length
  (0 straight, ~0.5 semicircle).
- breaks: runs of weak crease (< half the path's median strength) longer than
  BREAK_MIN_FRACTION of the palm width.
- branches: creases leaving the line sideways: connected strong-crease blobs in a ring 4–8 px
  around the path, away from its ends.
- confidence: the probability that the path lies on a real crease, from a logistic model of its
  contrast, mean strength and coverage (share of path pixels on a crease), each relative to the
  level its kind of line needs, fitted on graded dev photos (bench/vision_calibrate.py). A path
  is a line when that reaches FOUND_CONFIDENCE, and *faint* (``LineResult.faint``) while under
  FAINT_CONFIDENCE: one soft score instead of four hard cuts, so a path barely under one of
  them but clear on the others is not thrown out, and re-shots have one boundary to cross.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import SPAN
from palm.vision.ridges import CreaseMaps
from palm.vision.tracing import TracedPath

#: What the confidence model reads from a path (see :func:`confidence_features`).
FEATURE_NAMES = ("log contrast ratio", "log strength ratio", "log coverage ratio")


class PathEvidence(Protocol):
    """Anything carrying a path's evidence: :class:`LineMeasures` or an audit candidate."""

    @property
    def contrast(self) -> float: ...
    @property
    def strength(self) -> float: ...
    @property
    def coverage(self) -> float: ...


def confidence_features(
    evidence: PathEvidence, principal: bool, line: str | None = None
) -> list[float]:
    """The confidence model's inputs, in FEATURE_NAMES order: the log of each as a multiple of
    the level a line of its kind used to need (MIN_LINE_* or MIN_MINOR_*, MIN_COVERAGE), the
    multiple clipped to 0.05–CONFIDENCE_RATIO_CAP. A minor line, whose corridor always holds
    some path, must show more than a principal one."""
    contrast_level = th.MIN_LINE_CONTRAST if principal else th.MIN_MINOR_CONTRAST
    strength_level = th.MIN_LINE_STRENGTH if principal else th.MIN_MINOR_STRENGTH
    if line in th.LINE_EVIDENCE_LEVELS:
        contrast_level, strength_level = th.LINE_EVIDENCE_LEVELS[line]
    ratios = (
        evidence.contrast / contrast_level,
        evidence.strength / strength_level,
        evidence.coverage / th.MIN_COVERAGE,
    )
    return [float(np.log(min(max(ratio, 0.05), th.CONFIDENCE_RATIO_CAP))) for ratio in ratios]


def line_confidence(evidence: PathEvidence, principal: bool, line: str | None = None) -> float:
    """Probability that the path lies on a real crease: a logistic model fitted on graded dev
    photos (``bench/vision_calibrate.py``; weights in palm.vision.thresholds)."""
    features = confidence_features(evidence, principal, line)
    weighted = zip(th.CONFIDENCE_WEIGHTS, features, strict=True)
    logit = th.CONFIDENCE_BIAS + sum(weight * value for weight, value in weighted)
    return float(1.0 / (1.0 + np.exp(-logit)))


@dataclass(frozen=True)
class _Evidence:
    contrast: float
    strength: float
    coverage: float


@dataclass(frozen=True)
class LineMeasures:
    """Numbers of one path; ``found`` applies the thresholds."""

    found: bool
    length_rel: float
    depth: float
    curvature: float
    breaks: int
    branches: int
    contrast: float
    coverage: float
    confidence: float
    reasons: tuple[str, ...] = ()
    strength: float = 0.0


def arc_length(points: Array) -> float:
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


def winding(points: Array) -> float:
    """Arc length over chord (1 for a straight path)."""
    chord = float(np.linalg.norm(points[-1] - points[0]))
    return arc_length(points) / chord if chord > 1e-6 else float("inf")


def weakest_link(points: Array, strength: Array, window_px: float) -> float:
    """Least mean strength over any run of the path ``window_px`` frame pixels long (the
    whole path's mean when it is shorter): where a path crosses plain skin."""
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    ends = np.searchsorted(arc, arc + window_px)
    starts = np.nonzero(ends < len(arc))[0]
    if starts.size == 0:
        return float(strength.mean())
    totals = np.concatenate([[0.0], np.cumsum(strength, dtype=np.float64)])
    stops = ends[starts] + 1
    return float(((totals[stops] - totals[starts]) / (stops - starts)).min())


def sagitta_ratio(points: Array) -> float:
    chord = points[-1] - points[0]
    chord_length = float(np.linalg.norm(chord))
    if chord_length < 1e-6:
        return 0.0
    offsets = points - points[0]
    distances = np.abs(offsets[:, 0] * chord[1] - offsets[:, 1] * chord[0]) / chord_length
    return float(distances.max() / chord_length)


def count_breaks(strength: Array, min_run: int) -> int:
    weak = strength < 0.5 * float(np.median(strength))
    runs, current = 0, 0
    for is_weak in weak:
        current = current + 1 if is_weak else 0
        if current == min_run:
            runs += 1
    return runs


def count_branches(points: Array, maps: CreaseMaps) -> int:
    size = maps.strength.shape[0]
    line = np.round(points).astype(np.int32)
    near, ring = np.zeros((size, size), np.uint8), np.zeros((size, size), np.uint8)
    cv2.polylines(near, [line], False, (1,), thickness=9)
    cv2.polylines(ring, [line], False, (1,), thickness=17)
    for end in (line[0], line[-1]):
        cv2.circle(ring, (int(end[0]), int(end[1])), 12, (0,), -1)
    annulus = (ring > 0) & (near == 0) & (maps.strength >= th.BRANCH_STRENGTH) & maps.hand
    _, _, stats, _ = cv2.connectedComponentsWithStats(annulus.astype(np.uint8), connectivity=8)
    return int((stats[1:, cv2.CC_STAT_AREA] >= th.BRANCH_MIN_PIXELS).sum())


def _bridges_skin(path: TracedPath, maps: CreaseMaps, line: str | None) -> bool:
    """Whether the path's weakest run (MIN_LINK_WINDOW palm widths) falls under its line's
    MIN_LINK_CONTRAST: it crosses plain skin between two creases."""
    if line not in th.MIN_LINK_CONTRAST:
        return False
    window_px = th.MIN_LINK_WINDOW * maps.strength.shape[0] / SPAN
    weakest = weakest_link(path.points, path.strength, window_px)
    contrast = (weakest - maps.background_level) / maps.background_spread
    return bool(contrast < th.MIN_LINK_CONTRAST[line])


def measure(
    path: TracedPath,
    maps: CreaseMaps,
    principal: bool,
    borrowed: bool = False,
    line: str | None = None,
) -> LineMeasures:
    """Metrics and verdict for a traced path (a ``borrowed`` path is never found)."""
    units_per_px = SPAN / maps.strength.shape[0]
    length = arc_length(path.points) * units_per_px
    mean_strength = float(path.strength.mean())
    contrast = (mean_strength - maps.background_level) / maps.background_spread
    coverage = float((path.strength >= th.PATH_SCORE_LEVEL).mean())
    evidence = _Evidence(contrast=contrast, strength=mean_strength, coverage=coverage)
    probability = line_confidence(evidence, principal, line)
    checks = {
        "borrowed": borrowed,
        "unlikely": probability < th.FOUND_CONFIDENCE,
        "short": length < th.MIN_LINE_LENGTHS.get(line or "", th.MIN_LINE_LENGTH),
        "winding": winding(path.points) > th.MAX_WINDING.get(line or "", np.inf),
        "bridges": _bridges_skin(path, maps, line),
    }
    reasons = tuple(name for name, failed in checks.items() if failed)
    found = not reasons
    confidence = round(probability if found else min(probability, th.FOUND_CONFIDENCE), 3)
    min_run = max(2, round(th.BREAK_MIN_FRACTION / units_per_px))
    return LineMeasures(
        found=found,
        length_rel=round(length, 3),
        depth=round(float(path.depth.mean()), 3),
        curvature=round(sagitta_ratio(path.points), 3),
        breaks=count_breaks(path.strength, min_run),
        branches=count_branches(path.points, maps),
        contrast=round(contrast, 2),
        coverage=round(coverage, 3),
        confidence=confidence,
        reasons=reasons,
        strength=round(mean_strength, 3),
    )
