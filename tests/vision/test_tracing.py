"""Tracing: a path that turns sharply at its end to reach the end zone stops where it turned."""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from palm.vision.arrays import Array
from palm.vision.tracing import _best_stretch, _trim_hooks


def _polyline(*corners: tuple[float, float], step: float = 2.0) -> Array:
    """Points every ``step`` px along straight segments between corners."""
    points = []
    for a, b in pairwise(corners):
        a_, b_ = np.array(a, float), np.array(b, float)
        count = max(1, int(np.linalg.norm(b_ - a_) / step))
        points += [a_ + (b_ - a_) * t for t in np.arange(count) / count]
    return np.array([*points, corners[-1]], float)


def test_a_hook_at_the_end_is_cut_where_it_turns() -> None:
    # a heart line running left, then rising straight up into the gap between two fingers
    path = _polyline((220, 80), (90, 60), (88, 30))
    kept = path[_trim_hooks(path)]
    assert len(kept) < len(path)
    assert kept[:, 1].min() > 55  # nothing of the rise is left
    assert np.linalg.norm(kept[-1] - (90, 60)) < 8


def test_a_gently_curving_line_is_kept_whole() -> None:
    # a life line's arc round the thumb mound: it turns, but gradually
    angles = np.radians(np.linspace(200, 290, 80))
    arc = np.stack([150 + 100 * np.cos(angles), 60 - 100 * np.sin(angles)], axis=1)
    assert _trim_hooks(arc) == slice(0, len(arc))


def test_a_sharp_turn_at_the_start_is_kept() -> None:
    # head and life leave their shared start at the thumb web steeply: starts are not trimmed
    path = _polyline((60, 100), (60, 80), (200, 60))
    assert _trim_hooks(path).start == 0


def test_a_fate_path_is_cut_to_its_stretch_of_crease() -> None:
    # a path from the wrist zone over plain skin, along a crease, then over skin to the end zone
    strength = np.array([0.1] * 12 + [0.8] * 30 + [0.3, 0.7] * 3 + [0.1] * 15)
    kept = _best_stretch(strength)
    assert (kept.start, kept.stop) == (12, 48)  # a short dip inside the crease does not cut it


def test_a_path_over_plain_skin_has_no_stretch() -> None:
    assert _best_stretch(np.full(40, 0.2)) == slice(0, 0)
