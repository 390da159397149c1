"""Trace one line as a minimal-cost path through the crease map, inside its corridor.

Cost per pixel falls steeply with crease strength, and an additive penalty grows outside the
line's template corridor, so a path follows a real crease and does not hop to a neighbouring
one. Paths run from a start *zone* to the best end in an end *zone* (best = most crease along
the path, not merely the nearest point), which avoids the hooks that fixed endpoints produce;
weak tails are then trimmed, so a path never reaches further than its crease does.

Coarse to fine: the search runs on a half-resolution grid (strength max-pooled so thin creases
survive), on a crop around the corridor; the path is then scaled up and each vertex snapped to
the strongest pixel next to it at full resolution.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from skimage.graph import MCP_Geometric

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import SPAN, units_to_frame
from palm.vision.linemodel import LINE_MODELS, LineModel
from palm.vision.ridges import CreaseMaps
from palm.vision.smooth_course import smooth_course_path

COARSE = 2  # full-resolution pixels per search-grid pixel


@dataclass(frozen=True)
class TracedPath:
    """A path in frame pixels, (x, y) rows, with the crease strength and depth along it."""

    points: Array
    strength: Array
    depth: Array
    frame_size: int = 256


@dataclass(frozen=True)
class SearchGrid:
    """The half-resolution maps tracing runs on; ``cost`` is mutable (lines claim pixels)."""

    strength: Array
    hand: Array
    cost: Array


def search_grid(maps: CreaseMaps) -> SearchGrid:
    """Max-pool strength (keeps thin creases), min-pool the hand mask, build the cost."""
    height, width = maps.strength.shape
    pooled = maps.strength[: height - height % COARSE, : width - width % COARSE]
    pooled = pooled.reshape(height // COARSE, COARSE, width // COARSE, COARSE).max(axis=(1, 3))
    hand = maps.hand[: height - height % COARSE, : width - width % COARSE]
    hand = hand.reshape(height // COARSE, COARSE, width // COARSE, COARSE).all(axis=(1, 3))
    cost = (th.COST_EPS + 1.0 - pooled.astype(np.float64)) ** th.COST_POWER
    cost[~hand] = th.OFF_HAND_COST
    return SearchGrid(strength=pooled, hand=hand, cost=cost)


@lru_cache(maxsize=32)
def corridor_excess(name: str, size: int) -> Array:
    """How far each grid pixel lies outside the line's corridor, in corridor widths (0 inside).
    Depends only on the model and grid size, so it is computed once per process."""
    model = LINE_MODELS[name]
    course = np.round(units_to_frame(np.array(model.course), size)).astype(np.int32)
    canvas = np.full((size, size), 255, np.uint8)
    cv2.polylines(canvas, [course], isClosed=False, color=(0,), thickness=1)
    distance = cv2.distanceTransform(canvas, cv2.DIST_L2, 3)
    width = model.corridor * size / SPAN
    excess = (np.maximum(0.0, distance - width) / width).astype(np.float64)
    excess.setflags(write=False)
    return excess


def _crop_box(model: LineModel, size: int) -> tuple[int, int, int, int]:
    course = units_to_frame(np.array(model.course), size)
    margin = (max(model.start_radius, model.end_radius) + model.corridor * 2) * size / SPAN
    lo = np.clip(np.floor(course.min(axis=0) - margin), 0, size).astype(int)
    hi = np.clip(np.ceil(course.max(axis=0) + margin), 0, size).astype(int)
    return int(lo[0]), int(lo[1]), int(hi[0]), int(hi[1])


def _disc(center: Array, radius: float, shape: tuple[int, ...]) -> Array:
    mask = np.zeros(shape[:2], np.uint8)
    centre = (round(float(center[0])), round(float(center[1])))
    cv2.circle(mask, centre, round(radius), (1,), -1)
    return mask.astype(bool)


def _zone(center: Array, radius: float, allowed: Array) -> list[tuple[int, int]]:
    rows, cols = np.nonzero(_disc(center, radius, allowed.shape) & allowed)
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


def _end_candidates(
    center: Array, radius: float, allowed: Array, strength: Array
) -> list[tuple[int, int]]:
    """End-zone pixels worth a traceback: those on a crease, thinned to MAX_END_CANDIDATES."""
    zone = _disc(center, radius, allowed.shape) & allowed
    on_crease = zone & (strength >= th.PATH_SCORE_LEVEL)
    rows, cols = np.nonzero(on_crease if on_crease.any() else zone)
    step = max(1, int(np.ceil(rows.size / th.MAX_END_CANDIDATES)))
    return list(zip(rows[::step].tolist(), cols[::step].tolist(), strict=True))


def _trim_weak_ends(strength: Array) -> slice:
    """Slice of the path without its weak tails (where the crease has already ended)."""
    level = max(th.TRIM_LEVEL, th.TRIM_FRACTION * float(np.median(strength)))
    strong = np.nonzero(strength >= level)[0]
    if strong.size == 0:
        return slice(0, 0)
    return slice(int(strong[0]), int(strong[-1]) + 1)


def _best_stretch(strength: Array) -> slice:
    """Slice of the path along its best stretch of crease: the run maximising
    sum(strength - PATH_SCORE_LEVEL) (crease pixels add, plain skin subtracts)."""
    best, best_slice = 0.0, slice(0, 0)
    running, start = 0.0, 0
    for i, value in enumerate(strength - th.PATH_SCORE_LEVEL):
        if running <= 0.0:
            running, start = 0.0, i
        running += float(value)
        if running > best:
            best, best_slice = running, slice(start, i + 1)
    return best_slice


def _trim_hooks(points: Array, angle: float = 60.0) -> slice:
    """Slice of a refined path without a hook at its end: a sharp turn (more than ``angle``
    degrees from the direction of the path's middle half) in its last HOOK_ZONE is where the
    path left its crease to reach the end zone (a heart line rising into the gap between two
    fingers, a life line turning back at the wrist), so the path stops there. Starts are kept:
    head and life leave their shared start at the thumb web at a steep angle by nature."""
    count = len(points)
    if count < 12:
        return slice(0, count)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    quarter, three_quarters = np.searchsorted(arc, [0.25 * arc[-1], 0.75 * arc[-1]])
    body = points[three_quarters] - points[quarter]
    if not np.linalg.norm(body):
        return slice(0, count)
    body = body / np.linalg.norm(body)
    ahead = points[np.minimum(np.arange(count) + th.HOOK_WINDOW, count - 1)]
    behind = points[np.maximum(np.arange(count) - th.HOOK_WINDOW, 0)]
    local = ahead - behind
    cosine = (local @ body) / np.maximum(np.linalg.norm(local, axis=1), 1e-9)
    turned = cosine < np.cos(np.radians(angle))
    tail = np.nonzero(turned & (arc >= (1.0 - th.HOOK_ZONE) * arc[-1]))[0]
    return slice(0, int(tail[0]) if tail.size else count)


def _best_path(model: LineModel, grid: SearchGrid, box: tuple[int, int, int, int]) -> Array | None:
    """(row, col) grid path from the start zone to the best end-zone pixel, inside ``box``."""
    x0, y0, x1, y1 = box
    size = grid.cost.shape[0]
    excess = corridor_excess(model.name, size)[y0:y1, x0:x1]
    # Additive: a multiplier would vanish on strong creases, letting paths roam along them.
    cost = grid.cost[y0:y1, x0:x1] + th.CORRIDOR_PENALTY * excess**2
    hand = grid.hand[y0:y1, x0:x1]
    strength = grid.strength[y0:y1, x0:x1]
    course = units_to_frame(np.array(model.course), size) - np.array([x0, y0])
    scale = size / SPAN
    starts = _zone(course[0], model.start_radius * scale, hand)
    ends = _end_candidates(course[-1], model.end_radius * scale, hand, strength)
    if not starts or not ends:
        return None
    graph = MCP_Geometric(cost, fully_connected=True)
    cumulative, _ = graph.find_costs(starts)
    best: tuple[float, Array] | None = None
    for end in ends:
        if not np.isfinite(cumulative[end]):
            continue
        path = np.asarray(graph.traceback(end))
        rows, cols = path[:, 0], path[:, 1]
        # Reward crease pixels, charge plain skin and corridor excess: the best end is where
        # the crease stops, not the nearest point of the zone.
        score = float((strength[rows, cols] - th.PATH_SCORE_LEVEL - excess[rows, cols]).sum())
        if best is None or score > best[0]:
            best = (score, path)
    return None if best is None else best[1] + np.array([y0, x0])


def _refine(grid_path: Array, strength: Array) -> Array:
    """Grid (row, col) → full-resolution (x, y): scale up, snap to the strongest neighbour,
    and smooth the staircase."""
    size = strength.shape[0]
    xy = grid_path[:, ::-1].astype(np.float64) * COARSE + (COARSE - 1) / 2.0
    snapped = np.empty_like(xy)
    for i, (x, y) in enumerate(np.round(xy).astype(int)):
        xa, xb = max(0, x - 1), min(size, x + 2)
        ya, yb = max(0, y - 1), min(size, y + 2)
        window = strength[ya:yb, xa:xb]
        dy, dx = np.unravel_index(int(np.argmax(window)), window.shape)
        snapped[i] = (xa + dx, ya + dy)
    if len(snapped) >= 5:
        kernel = np.ones(5) / 5.0
        padded = np.pad(snapped, ((2, 2), (0, 0)), mode="edge")
        snapped = np.stack([np.convolve(padded[:, k], kernel, "valid") for k in (0, 1)], 1)
    return snapped


def claim(grid: SearchGrid, path: TracedPath, thickness: int = 3) -> None:
    """Make pixels along an accepted principal line dear for the minor lines traced after it,
    so fate, sun and mercury may cross heart/head/life but never run along them (``thickness``
    in grid pixels: 3 is a 7 px band at full resolution)."""
    mask = np.zeros(grid.cost.shape, np.uint8)
    coarse = np.round(path.points / COARSE).astype(np.int32)
    cv2.polylines(mask, [coarse], isClosed=False, color=(1,), thickness=thickness)
    grid.cost[mask.astype(bool)] += th.CLAIMED_COST


def trace_line(
    model: LineModel, maps: CreaseMaps, grid: SearchGrid, smooth: bool = False
) -> TracedPath | None:
    """The best crease path for ``model`` in frame pixels, or None when its zones hold no skin:
    the cheapest path from zone to zone, or with ``smooth`` one smooth course along the
    corridor (palm.vision.smooth_course)."""
    if smooth:
        grid_path = smooth_course_path(model, grid.strength, grid.hand)
    else:
        grid_path = _best_path(model, grid, _crop_box(model, grid.cost.shape[0]))
    if grid_path is None:
        return None
    keep = _trim_weak_ends(grid.strength[grid_path[:, 0], grid_path[:, 1]])
    grid_path = grid_path[keep]
    if model.name in th.STRETCH_LINES:  # the line proper, without the skin between its zones
        grid_path = grid_path[_best_stretch(grid.strength[grid_path[:, 0], grid_path[:, 1]])]
    if len(grid_path) < 2:
        return None
    points = _refine(grid_path, maps.strength)
    if model.name in th.HOOK_ANGLES:  # minor lines are short and steep: a turn is their course
        points = points[_trim_hooks(points, th.HOOK_ANGLES[model.name])]
    if len(points) < 2:
        return None
    ix = np.clip(np.round(points[:, 0]).astype(int), 0, maps.strength.shape[1] - 1)
    iy = np.clip(np.round(points[:, 1]).astype(int), 0, maps.strength.shape[0] - 1)
    return TracedPath(
        points=points,
        strength=maps.strength[iy, ix],
        depth=maps.depth[iy, ix],
        frame_size=int(maps.strength.shape[0]),
    )


def path_frame_size(path: TracedPath) -> int:
    """Side of the frame a path was traced in."""
    return path.frame_size
