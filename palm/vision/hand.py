"""Hand landmarks with MediaPipe Hands, trying rotations so sideways or hanging hands are found,
then zoomed-out (padded) copies so a hand that fills the frame or runs off its edge is found too.

The MediaPipe graph costs ~100 ms to build, so one instance is created lazily per process and
reused (it is not thread-safe: a lock serialises calls, RQ workers are single-threaded anyway).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array

_lock = threading.Lock()
_hands: Any = None


@dataclass(frozen=True)
class HandDetection:
    """One detected hand. ``points`` are the 21 landmarks (x, y) in the coordinates of the image
    that was passed to :func:`detect_hand`; ``depth`` their MediaPipe z (relative to the wrist)."""

    points: Array
    depth: Array
    label: str  # MediaPipe's handedness label, as it reports it ("Left"/"Right")
    label_score: float
    hands_seen: int
    rotation: int  # quarter turns that were applied before detection succeeded
    padding: float = 0.0  # share of the long side added on every side before detection


def _get_hands() -> Any:
    """The process-wide MediaPipe Hands object (static image mode), built on first use."""
    global _hands
    if _hands is None:
        import mediapipe as mp

        _hands = mp.solutions.hands.Hands(
            static_image_mode=True,
            max_num_hands=2,
            model_complexity=1,
            min_detection_confidence=th.MIN_DETECTION_CONFIDENCE,
        )
    return _hands


def _downscaled(rgb: Array) -> tuple[Array, float]:
    """A copy with the long side at most DETECT_LONG_SIDE, and its scale. Halved first while
    more than twice too big: OpenCV's area resize is fast for exact halves and slow for
    fractional factors (a 4000x2667 photo: ~65 ms straight to 1024 px, ~20 ms by a half first)."""
    long_side = max(rgb.shape[:2])
    if long_side <= th.DETECT_LONG_SIDE:
        return np.ascontiguousarray(rgb), 1.0
    small = rgb
    while max(small.shape[:2]) >= 2 * th.DETECT_LONG_SIDE:
        small = cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    target = th.DETECT_LONG_SIDE / max(small.shape[:2])
    small = cv2.resize(small, None, fx=target, fy=target, interpolation=cv2.INTER_AREA)
    return small, max(small.shape[:2]) / long_side


def _unrotate(points: Array, quarter_turns: int, shape: tuple[int, ...]) -> Array:
    """Map (x, y) found in ``np.rot90(image, k)`` back to the unrotated image of ``shape``."""
    height, width = shape[:2]
    x, y = points[:, 0], points[:, 1]
    k = quarter_turns % 4
    if k == 0:
        return points.copy()
    if k == 1:  # rot90 counter-clockwise: new (x, y) = (y_old, W-1-x_old)
        return np.stack([width - 1 - y, x], axis=1)
    if k == 2:
        return np.stack([width - 1 - x, height - 1 - y], axis=1)
    return np.stack([y, height - 1 - x], axis=1)


def _palm_width(points: Array) -> float:
    return float(np.linalg.norm(points[5] - points[17]))


def _detect_once(image: Array) -> list[tuple[Array, Array, str, float]]:
    """All hands MediaPipe finds in one orientation, as (xy, z, label, score)."""
    with _lock:
        result = _get_hands().process(image)
    if not result.multi_hand_landmarks:
        return []
    height, width = image.shape[:2]
    found = []
    for landmarks, handedness in zip(
        result.multi_hand_landmarks, result.multi_handedness, strict=False
    ):
        xyz = np.array([[lm.x * width, lm.y * height, lm.z] for lm in landmarks.landmark])
        top = handedness.classification[0]
        found.append((xyz[:, :2], xyz[:, 2], str(top.label), float(top.score)))
    return found


def padded(image: Array, fraction: float) -> tuple[Array, int]:
    """``image`` on a canvas ``fraction`` of its long side wider on every side, filled with the
    median colour of its border (the background, usually), and the pad in pixels."""
    if fraction <= 0:
        return image, 0
    pad = round(fraction * max(image.shape[:2]))
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    colour = tuple(int(c) for c in np.median(border, axis=0))
    canvas = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=colour)
    return canvas, pad


def detect_hand(rgb: Array) -> HandDetection | None:
    """The largest hand in the photo, trying 0°, 90°, 270°, 180° until one is found; then the
    same on zoomed-out copies (th.DETECT_PADDINGS): MediaPipe's palm detector misses a hand
    that fills the frame or is cut by its edge, and finds it once it is smaller in the picture.
    Landmarks may then lie outside the photo, which the crop check reports as PALM_CROPPED."""
    small, scale = _downscaled(rgb)
    for fraction in (0.0, *th.DETECT_PADDINGS):
        canvas, pad = padded(small, fraction)
        canvas, canvas_scale = _downscaled(canvas)
        for quarter_turns in (0, 1, 3, 2):
            rotated = np.ascontiguousarray(np.rot90(canvas, quarter_turns))
            hands = _detect_once(rotated)
            if not hands:
                continue
            xy, depth, label, score = max(hands, key=lambda hand: _palm_width(hand[0]))
            on_canvas = _unrotate(xy, quarter_turns, canvas.shape[:2]) / canvas_scale
            return HandDetection(
                points=(on_canvas - pad) / scale,
                depth=depth,
                label=label,
                label_score=score,
                hands_seen=len(hands),
                rotation=quarter_turns,
                padding=fraction,
            )
    return None


def geometric_chirality(points: Array) -> int:
    """+1 or -1: which side of the wrist→knuckles axis the thumb lies on, in image coordinates.

    With y pointing down, a right palm (or a left back) gives -1; a mirror flips the sign.
    """
    index_axis = points[5] - points[0]
    pinky_axis = points[17] - points[0]
    cross = index_axis[0] * pinky_axis[1] - index_axis[1] * pinky_axis[0]
    return 1 if cross > 0 else -1
