"""The quality gate: is this photo good enough to read lines from? Each failure has a code.

Checks run on what the lines are traced from (the palm frame), so a busy background cannot
make a sharp palm look blurry or a dark sleeve make a lit palm look dark.
"""

from __future__ import annotations

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.frame import PalmFrame


def check_hand_size(landmarks: Array, image_shape: tuple[int, ...], scale: float) -> float:
    """Raise HAND_TOO_SMALL when the palm spans too few pixels or too little of the photo.
    Returns the palm width in original pixels."""
    width_px = float(np.linalg.norm(landmarks[5] - landmarks[17]))
    relative = width_px / max(image_shape[:2])
    if width_px < th.MIN_PALM_WIDTH_PX * scale or relative < th.MIN_PALM_FRACTION:
        raise VisionError(VisionErrorCode.HAND_TOO_SMALL)
    return width_px / scale


def palm_inside_fraction(frame: PalmFrame) -> float:
    """Share of the palm polygon that lies inside the photo."""
    palm = frame.palm_mask
    return float((palm & frame.inside).sum() / max(1, palm.sum()))


def check_cropped(frame: PalmFrame, landmarks: Array, image_shape: tuple[int, ...]) -> None:
    """Raise PALM_CROPPED when part of the palm, or a palm landmark, is outside the photo."""
    height, width = image_shape[:2]
    palm_points = landmarks[[0, 1, 5, 9, 13, 17]]
    margin = -0.02 * max(height, width)
    outside = (
        (palm_points[:, 0] < margin)
        | (palm_points[:, 1] < margin)
        | (palm_points[:, 0] > width - 1 - margin)
        | (palm_points[:, 1] > height - 1 - margin)
    )
    if outside.any() or palm_inside_fraction(frame) < th.MIN_PALM_INSIDE:
        raise VisionError(VisionErrorCode.PALM_CROPPED)


def exposure(frame: PalmFrame, lightness: Array) -> tuple[float, float]:
    """(median lightness, share of clipped pixels) over the visible palm polygon."""
    region = frame.palm_mask & frame.inside
    values = lightness[region] if region.any() else lightness.ravel()
    return float(np.median(values)), float((values >= 250).mean())


def sharpness(frame: PalmFrame, lightness: Array, hand: Array) -> float:
    """Share of fine detail: variance of the Laplacian over variance of the lightness inside
    the palm (×1000). A ratio, so exposure and skin tone cancel out; blur lowers it."""
    grey = cv2.GaussianBlur(lightness.astype(np.float32), (0, 0), 0.7)
    laplacian = cv2.Laplacian(grey, cv2.CV_32F, ksize=3)
    region = hand if hand.sum() > 100 else frame.palm_mask & frame.inside
    spread = float(np.var(grey[region])) + 1.0
    return float(1000.0 * np.var(laplacian[region]) / spread)


def check_exposure_and_focus(frame: PalmFrame, lightness: Array, hand: Array) -> dict[str, float]:
    """Raise TOO_DARK, OVEREXPOSED or TOO_BLURRY; return the measured values otherwise."""
    level, clipped = exposure(frame, lightness)
    if level < th.MIN_PALM_LIGHTNESS:
        raise VisionError(VisionErrorCode.TOO_DARK)
    if clipped > th.MAX_CLIPPED_FRACTION or level > th.MAX_PALM_LIGHTNESS:
        raise VisionError(VisionErrorCode.OVEREXPOSED)
    detail = sharpness(frame, lightness, hand)
    if detail < th.MIN_SHARPNESS:
        raise VisionError(VisionErrorCode.TOO_BLURRY)
    return {
        "lightness": round(level, 1),
        "clipped": round(clipped, 4),
        "sharpness": round(detail, 2),
        "palm_inside": round(palm_inside_fraction(frame), 3),
    }


LOW_QUALITY_NOTE = (
    "Low quality: the photo is {reason}, so faint lines may be reported as not found; a sharper,"
    " closer photo in good light reads better."
)


def quality_notes(quality: dict[str, float], palm_width_px: float) -> list[str]:
    """The "low quality" note for a photo that passed the gate only just (soft or small)."""
    reasons = []
    if quality["sharpness"] < th.SOFT_SHARPNESS:
        reasons.append("a little soft")
    if palm_width_px < th.SOFT_PALM_WIDTH_PX:
        reasons.append("small")
    return [LOW_QUALITY_NOTE.format(reason=" and ".join(reasons))] if reasons else []


def explain_missing_hand(rgb: Array) -> VisionError:
    """NO_HAND, unless the whole photo is so dark or so blown out that this is the real cause."""
    small = rgb[:: max(1, rgb.shape[0] // 256), :: max(1, rgb.shape[1] // 256)]
    lightness = cv2.cvtColor(np.ascontiguousarray(small), cv2.COLOR_RGB2LAB)[:, :, 0]
    if float(np.median(lightness)) < th.MIN_PALM_LIGHTNESS:
        return VisionError(VisionErrorCode.TOO_DARK)
    if float((lightness >= 250).mean()) >= th.NO_HAND_CLIPPED_FRACTION:
        return VisionError(VisionErrorCode.OVEREXPOSED)
    return VisionError(VisionErrorCode.NO_HAND)
