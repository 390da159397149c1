"""The smooth course: one column per row across the unrolled corridor, a price on every
sideways move, so a line follows the crease that continues its course instead of stepping
onto a neighbour where its own crease fades."""

from __future__ import annotations

import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import SPAN, units_to_frame
from palm.vision.linemodel import LINE_MODELS
from palm.vision.smooth_course import _best_columns, smooth_course_path, unrolled_grid


def _two_ridges(near_gain: float, far_gain: float, rows: int = 60) -> Array:
    """Gain rows: a ridge along column 5 the whole way, a second ridge along column 10 in the
    lower half only (a neighbouring crease beside the line's lower half), skin elsewhere."""
    gain = np.full((rows, 16), -0.3)
    gain[:, 5] = near_gain
    gain[rows // 2 :, 10] = far_gain
    return gain


def test_the_path_moves_at_most_one_column_a_row() -> None:
    rng = np.random.default_rng(3)
    columns = _best_columns(rng.normal(size=(80, 21)), step_cost=0.2)
    assert np.abs(np.diff(columns)).max() <= 1


def test_a_fading_line_keeps_its_crease_beside_a_stronger_neighbour() -> None:
    # the lower half of the neighbour gains 0.3 a row more: 9 rows of it do not pay for the
    # five sideways moves (5 x 1.0) plus the skin crossed, so the path stays on its crease
    columns = _best_columns(_two_ridges(near_gain=0.1, far_gain=0.4, rows=24), step_cost=1.0)
    assert set(columns.tolist()) == {5}


def test_a_much_stronger_neighbour_is_taken_when_it_pays_for_the_step() -> None:
    # the same neighbour over a long stretch pays for the step: the path is not stuck
    columns = _best_columns(_two_ridges(near_gain=0.1, far_gain=0.6, rows=120), step_cost=1.0)
    assert columns[0] == 5 and columns[-1] == 10


def test_the_unrolled_corridor_runs_past_the_end_zone() -> None:
    map_x, map_y, excess = unrolled_grid("life", 128)
    model = LINE_MODELS["life"]
    reach = round(th.SMOOTH_REACH * 128 / SPAN)
    assert map_x.shape == map_y.shape == (map_x.shape[0], 2 * reach + 1)
    assert excess[reach] == 0.0 and excess[0] > 0.0  # the centre column is the course itself
    centre = np.stack([map_x[:, reach], map_y[:, reach]], axis=1)
    end_px = units_to_frame(np.array(model.course[-1]), 128)
    assert np.linalg.norm(centre - end_px, axis=1).min() < 1.0  # it passes the end zone centre
    assert np.linalg.norm(centre[-1] - end_px) > th.SMOOTH_EXTEND * 128 / SPAN - 2.0


def test_a_corridor_off_the_hand_gives_no_path() -> None:
    strength = np.zeros((128, 128))
    assert smooth_course_path(LINE_MODELS["life"], strength, np.zeros((128, 128), bool)) is None
