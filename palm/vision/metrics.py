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
- confidence: 0.6 × contrast score + 0.4 × coverage (share of path pixels on a crease).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import SPAN
from palm.vision.ridges import CreaseMaps
from palm.vision.tracing import TracedPath


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


def arc_length(points: Array) -> float:
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


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


def measure(
    path: TracedPath, maps: CreaseMaps, principal: bool, borrowed: bool = False
) -> LineMeasures:
    """Metrics and verdict for a traced path (a ``borrowed`` path is never found)."""
    units_per_px = SPAN / maps.strength.shape[0]
    length = arc_length(path.points) * units_per_px
    mean_strength = float(path.strength.mean())
    contrast = (mean_strength - maps.background_level) / maps.background_spread
    coverage = float((path.strength >= th.PATH_SCORE_LEVEL).mean())
    min_contrast = th.MIN_LINE_CONTRAST if principal else th.MIN_MINOR_CONTRAST
    min_strength = th.MIN_LINE_STRENGTH if principal else th.MIN_MINOR_STRENGTH
    checks = {
        "borrowed": borrowed,
        "low_contrast": contrast < min_contrast,
        "weak": mean_strength < min_strength,
        "gappy": coverage < th.MIN_COVERAGE,
        "short": length < th.MIN_LINE_LENGTH,
    }
    reasons = tuple(name for name, failed in checks.items() if failed)
    found = not reasons
    contrast_score = float(np.clip((contrast - 2.0) / 10.0, 0.0, 1.0))
    confidence = round(0.6 * contrast_score + 0.4 * coverage, 3)
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
        confidence=confidence if found else min(confidence, 0.3),
        reasons=reasons,
    )
