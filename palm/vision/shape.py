"""Hand shape (the four classical element types) from landmark proportions.

Rule (palmistry's usual one, made measurable):
- palm_ratio = palm length (wrist → middle-finger knuckle) / palm width (index → little knuckle);
  a palm is *long* when palm_ratio ≥ LONG_PALM.
- finger_ratio = middle finger length (sum of its three segments) / palm length;
  fingers are *long* when finger_ratio ≥ LONG_FINGERS.
- square palm + short fingers → earth; square + long → air; long + short → fire; long + long →
  water. Cut-offs sit near the middle of the sample hands so the classes split; bent fingers
  read shorter, which is one more reason this is entertainment.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np

from palm.vision.arrays import Array
from palm.vision.result import Element, HandShape

LONG_PALM = 1.45
LONG_FINGERS = 0.95


def _segment_length(points: Array, ids: list[int]) -> float:
    return float(sum(np.linalg.norm(points[b] - points[a]) for a, b in pairwise(ids)))


def hand_shape(landmarks: Array) -> HandShape:
    """Classify landmarks (21 × (x, y), any consistent pixel space)."""
    width = float(np.linalg.norm(landmarks[5] - landmarks[17])) or 1.0
    palm_length = float(np.linalg.norm(landmarks[9] - landmarks[0])) or 1.0
    finger = _segment_length(landmarks, [9, 10, 11, 12])
    palm_ratio = palm_length / width
    finger_ratio = finger / palm_length
    long_palm = palm_ratio >= LONG_PALM
    long_fingers = finger_ratio >= LONG_FINGERS
    element: Element
    if long_palm:
        element = "water" if long_fingers else "fire"
    else:
        element = "air" if long_fingers else "earth"
    return HandShape(
        element=element, palm_ratio=round(palm_ratio, 3), finger_ratio=round(finger_ratio, 3)
    )
