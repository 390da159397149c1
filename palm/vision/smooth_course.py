"""Trace a line as one smooth course across its corridor (dynamic programming), not a
cheapest path.

A minimal-cost path may turn at any pixel, so where a life crease fades for a few pixels the
cheapest way on is a short sideways hop onto a parallel crease beside it: on the dev set most
"partial" life lines had such a step or S-bend partway down (docs/vision.md, vision-2.6). Here
the corridor is unrolled along the line's template course (one row per grid pixel along it, one
column per pixel across it) and the path is the run of one column per row that collects the
most crease, moving at most one column per row and paying ``step_cost`` for each column it
moves: a step costs as much as a stretch of faint crease, so the path follows the crease that
continues the line's course instead.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import SPAN, units_to_frame
from palm.vision.linemodel import LINE_MODELS, LineModel


@lru_cache(maxsize=16)
def unrolled_grid(name: str, size: int) -> tuple[Array, Array, Array]:
    """Sampling maps (x, y) of the corridor unrolled along the course, one grid pixel apart,
    and each column's excess over the corridor (in corridor widths). The course runs on past
    its end zone by SMOOTH_EXTEND (the crease may, and weak tails are trimmed later)."""
    model = LINE_MODELS[name]
    course = units_to_frame(np.array(model.course), size)
    tail = course[-1] - course[-2]
    tail = tail / np.linalg.norm(tail)
    course = np.vstack([course, course[-1] + tail * th.SMOOTH_EXTEND * size / SPAN])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(course, axis=0), axis=1))])
    along = np.arange(0.0, arc[-1], 1.0)
    points = np.stack([np.interp(along, arc, course[:, k]) for k in (0, 1)], 1)
    tangent = cv2.GaussianBlur(np.gradient(points, axis=0).reshape(-1, 1, 2), (1, 9), 0)
    tangent = tangent.reshape(-1, 2) / np.linalg.norm(tangent.reshape(-1, 2), axis=1)[:, None]
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], 1)
    reach = round(th.SMOOTH_REACH * size / SPAN)
    across = np.arange(-reach, reach + 1, dtype=np.float64)
    map_x = (points[:, None, 0] + across[None, :] * normal[:, None, 0]).astype(np.float32)
    map_y = (points[:, None, 1] + across[None, :] * normal[:, None, 1]).astype(np.float32)
    corridor = model.corridor * size / SPAN
    excess = np.maximum(0.0, np.abs(across) - corridor) / corridor
    for array in (map_x, map_y, excess):
        array.setflags(write=False)
    return map_x, map_y, excess


def _best_columns(gain: Array, step_cost: float) -> Array:
    """One column per row maximising the summed gain, moving at most one column a row."""
    rows, width = gain.shape
    score = gain[0].copy()
    moves = np.zeros((rows, width), np.int8)
    wall = np.full(1, -np.inf)
    columns = np.arange(width)
    for i in range(1, rows):
        options = np.stack(
            [
                np.concatenate([wall, score[:-1]]) - step_cost,
                score,
                np.concatenate([score[1:], wall]) - step_cost,
            ]
        )
        choice = np.argmax(options, axis=0)
        score = options[choice, columns] + gain[i]
        moves[i] = choice - 1
    path = np.empty(rows, np.int64)
    column = int(np.argmax(score))
    for i in range(rows - 1, -1, -1):
        path[i] = column
        column += int(moves[i, column])
    return path


def smooth_course_path(model: LineModel, strength: Array, hand: Array) -> Array | None:
    """(row, col) grid path of ``model``'s line as one smooth course (see the module), from its
    start zone to past its end zone; None when the corridor holds no skin."""
    size = strength.shape[0]
    map_x, map_y, excess = unrolled_grid(model.name, size)
    values = cv2.remap(
        strength.astype(np.float32), map_x, map_y, cv2.INTER_LINEAR, borderValue=(0.0,)
    )
    on_hand = cv2.remap(hand.astype(np.uint8), map_x, map_y, cv2.INTER_NEAREST, borderValue=(0,))
    if not on_hand.any():
        return None
    gain = values - th.PATH_SCORE_LEVEL - th.CORRIDOR_PENALTY * excess[None, :] ** 2
    gain[on_hand == 0] = -th.OFF_HAND_COST
    columns = _best_columns(gain.astype(np.float64), th.SMOOTH_STEP_COST)
    rows = np.arange(len(columns))
    xy = np.stack([map_x[rows, columns], map_y[rows, columns]], 1)
    grid: Array = np.clip(np.round(xy[:, ::-1]), 0, size - 1).astype(np.int64)
    return grid
