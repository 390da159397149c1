"""Left or right, palm or back: decided from landmark geometry plus MediaPipe's appearance label.

Geometry alone cannot tell a right palm from a left back (they are mirror images in 2-D). The
MediaPipe handedness classifier looks at the skin, so it *can*: measured on the samples and on
their mirrors and rotations, its label is the true hand flipped (it assumes selfie-mirrored
input). So: appearance says which hand; geometry says which hand *if this is a palm*; when they
disagree we are looking at the back. When the label is unsure, the knuckle depth cue decides
(knuckles stand nearer the camera than the wrist on the back of a hand).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.hand import HandDetection, geometric_chirality

Hand = Literal["left", "right"]


@dataclass(frozen=True)
class SideDecision:
    """The hand we report, whether the image is mirrored relative to it, and notes for the user."""

    hand: Hand
    geometric_hand: Hand  # the hand this would be if it is a palm seen unmirrored
    warnings: list[str]


def _appearance_hand(label: str) -> Hand:
    """MediaPipe's label flipped: it is trained for mirrored selfie frames."""
    return "right" if label.lower() == "left" else "left"


def _geometric_hand(points: Array) -> Hand:
    """The hand whose palm has this chirality in an unmirrored photo."""
    return "right" if geometric_chirality(points) < 0 else "left"


def looks_like_back(detection: HandDetection) -> bool:
    """True when a confident appearance label contradicts the palm geometry; when the label is
    unsure, False if it agrees with the geometry all the same, else the knuckles decide (they
    stand out towards the camera on a back)."""
    agrees = _appearance_hand(detection.label) == _geometric_hand(detection.points)
    if detection.label_score >= th.MIN_HANDEDNESS_SCORE or agrees:
        return not agrees
    knuckle_z = float(np.mean(detection.depth[[5, 9, 13, 17]]) - detection.depth[0])
    return knuckle_z < th.BACK_KNUCKLE_Z


def decide_side(detection: HandDetection, hand_hint: Hand | None) -> SideDecision:
    """Reject the back of a hand; otherwise name the hand, preferring what the user told us."""
    if looks_like_back(detection):
        raise VisionError(VisionErrorCode.BACK_OF_HAND)
    geometric = _geometric_hand(detection.points)
    warnings: list[str] = []
    hand = geometric
    if hand_hint is not None and hand_hint != geometric:
        hand = hand_hint
        warnings.append(
            f"The photo shows what looks like a {geometric} palm, but you chose the {hand_hint} "
            "hand; we used your choice (front-camera photos are often mirrored)."
        )
    if detection.hands_seen > 1:
        warnings.append("More than one hand is in the photo; the largest one was read.")
    return SideDecision(hand=hand, geometric_hand=geometric, warnings=warnings)
