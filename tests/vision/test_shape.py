"""Hand shape: the rule maps palm and finger proportions to the four elements."""

from __future__ import annotations

import numpy as np
import pytest

from palm.vision.arrays import Array
from palm.vision.shape import LONG_FINGERS, LONG_PALM, hand_shape


def _hand(palm_ratio: float, finger_ratio: float) -> Array:
    points = np.zeros((21, 2))
    points[5], points[17] = (0.0, 0.0), (100.0, 0.0)
    points[9] = (35.0, 0.0)
    points[0] = (35.0, 100.0 * palm_ratio)
    finger = 100.0 * palm_ratio * finger_ratio
    for k, joint in enumerate((10, 11, 12), start=1):
        points[joint] = (35.0, -finger * k / 3)
    return points


@pytest.mark.parametrize(
    ("palm", "fingers", "element"),
    [(1.2, 0.8, "earth"), (1.2, 1.1, "air"), (1.7, 0.8, "fire"), (1.7, 1.1, "water")],
)
def test_elements(palm: float, fingers: float, element: str) -> None:
    shape = hand_shape(_hand(palm, fingers))
    assert shape.element == element
    assert shape.palm_ratio == pytest.approx(palm, abs=1e-3)
    assert shape.finger_ratio == pytest.approx(fingers, abs=1e-3)


def test_cut_offs_are_inclusive() -> None:
    assert hand_shape(_hand(LONG_PALM, LONG_FINGERS)).element == "water"


def test_samples_get_an_element(samples, palm_name: str) -> None:
    assert samples.analysis(palm_name).hand_shape.element in ("earth", "air", "fire", "water")
