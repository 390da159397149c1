"""The canonical palm frame: an affine warp that puts every palm upright, at one scale, thumb left.

Units: the index knuckle (landmark 5) is at (0, 0), the little-finger knuckle (17) at (1, 0) and
y points from the knuckles towards the wrist. A right palm and a left palm both land with the
thumb on the left (the fit includes the mirror), so one model of where lines live serves both.
The template is the mean of the sample hands; the affine is a least-squares fit of five landmarks
to it, so finger spread does not tilt the frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array

#: Landmark id → template position in palm units (mean of the sample palms).
TEMPLATE: dict[int, tuple[float, float]] = {
    0: (0.79, 1.34),
    5: (0.0, 0.0),
    9: (0.32, -0.10),
    13: (0.66, -0.09),
    17: (1.0, 0.0),
}
#: Region of palm units shown in the frame: x from X0, y from Y0, SPAN units square.
X0, Y0, SPAN = -0.45, -0.30, 1.70
#: The palm proper, in palm units, clockwise from the index knuckle. Fingers and the thumb
#: beyond its knuckle are outside it.
PALM_POLYGON: tuple[tuple[float, float], ...] = (
    (-0.08, -0.10),
    (0.35, -0.16),
    (0.70, -0.14),
    (1.08, -0.06),
    (1.17, 0.30),
    (1.14, 0.90),
    (1.00, 1.30),
    (0.55, 1.40),
    (0.10, 1.32),
    (-0.22, 1.05),
    (-0.34, 0.65),
    (-0.26, 0.25),
)


def units_to_frame(units: Array, size: int = th.FRAME_SIZE) -> Array:
    """Palm units → frame pixel coordinates."""
    origin = np.array([X0, Y0], dtype=np.float64)
    result: Array = (np.asarray(units, dtype=np.float64) - origin) * (size / SPAN)
    return result


def frame_to_units(pixels: Array, size: int = th.FRAME_SIZE) -> Array:
    """Frame pixel coordinates → palm units."""
    origin = np.array([X0, Y0], dtype=np.float64)
    result: Array = np.asarray(pixels, dtype=np.float64) * (SPAN / size) + origin
    return result


@dataclass(frozen=True)
class PalmFrame:
    """Warped palm (``rgb``), where it is valid (``inside``), and the maps both ways.

    ``to_frame`` maps original-image (x, y) to frame pixels; ``to_image`` is its inverse.
    """

    rgb: Array
    inside: Array
    palm_mask: Array
    to_frame: Array
    to_image: Array
    palm_width_px: float

    @property
    def size(self) -> int:
        return int(self.rgb.shape[0])

    def map_to_image(self, frame_points: Array) -> Array:
        """Frame pixel (x, y) rows → original-image (x, y) rows."""
        return _apply(self.to_image, frame_points)

    def map_to_frame(self, image_points: Array) -> Array:
        """Original-image (x, y) rows → frame pixel rows."""
        return _apply(self.to_frame, image_points)


def _apply(matrix: Array, points: Array) -> Array:
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    mapped: Array = pts @ matrix[:, :2].T + matrix[:, 2]
    return mapped


def fit_frame_affine(landmarks: Array, size: int = th.FRAME_SIZE) -> Array:
    """2×3 affine from original-image coordinates to frame pixels (least squares on TEMPLATE)."""
    ids = list(TEMPLATE)
    src = np.asarray(landmarks, dtype=np.float64)[ids]
    dst = units_to_frame(np.array([TEMPLATE[i] for i in ids]), size)
    design = np.hstack([src, np.ones((len(ids), 1))])
    solution, *_ = np.linalg.lstsq(design, dst, rcond=None)
    return np.asarray(solution.T)


def palm_mask(size: int = th.FRAME_SIZE) -> Array:
    """Boolean mask of PALM_POLYGON in the frame."""
    mask = np.zeros((size, size), np.uint8)
    polygon = np.round(units_to_frame(np.array(PALM_POLYGON), size)).astype(np.int32)
    cv2.fillPoly(mask, [polygon], (1,))
    return mask.astype(bool)


def _invert(matrix: Array) -> Array:
    return np.asarray(cv2.invertAffineTransform(matrix))


def warp_palm(
    rgb: Array, landmarks_rgb: Array, image_scale: float, size: int = th.FRAME_SIZE
) -> PalmFrame:
    """Warp the palm of ``rgb`` (whose landmarks are ``landmarks_rgb``) into the frame.

    ``image_scale`` is rgb pixels per original pixel, so the returned maps speak original-image
    coordinates. Large sources are cropped and shrunk first: affine warps alias when they
    downscale more than 2×.
    """
    to_frame_rgb = fit_frame_affine(landmarks_rgb, size)
    to_rgb = _invert(to_frame_rgb)
    corners = _apply(to_rgb, np.array([[0, 0], [size, 0], [size, size], [0, size]], float))
    height, width = rgb.shape[:2]
    x_lo, y_lo = np.clip(np.floor(corners.min(axis=0)), 0, [width - 1, height - 1]).astype(int)
    x_hi, y_hi = np.clip(np.ceil(corners.max(axis=0)) + 1, 1, [width, height]).astype(int)
    crop = rgb[y_lo:y_hi, x_lo:x_hi]
    ppu_source = float(np.linalg.norm(landmarks_rgb[5] - landmarks_rgb[17]))
    shrink = min(1.0, 1.5 * (size / SPAN) / max(ppu_source, 1e-6))
    if shrink < 1.0 and crop.size:
        crop = cv2.resize(crop, None, fx=shrink, fy=shrink, interpolation=cv2.INTER_AREA)
    crop_to_rgb = np.array([[1 / shrink, 0, x_lo], [0, 1 / shrink, y_lo]])
    crop_to_frame = to_frame_rgb @ np.vstack([crop_to_rgb, [0, 0, 1]])
    if crop.size:
        warped = cv2.warpAffine(crop, crop_to_frame, (size, size), flags=cv2.INTER_LINEAR)
        ones = np.full(crop.shape[:2], 255, np.uint8)
        inside = cv2.warpAffine(ones, crop_to_frame, (size, size), flags=cv2.INTER_NEAREST) > 0
    else:
        warped = np.zeros((size, size, 3), np.uint8)
        inside = np.zeros((size, size), bool)
    original_to_rgb = np.array([[image_scale, 0, 0], [0, image_scale, 0]])
    to_frame = to_frame_rgb @ np.vstack([original_to_rgb, [0, 0, 1]])
    return PalmFrame(
        rgb=warped,
        inside=inside,
        palm_mask=palm_mask(size),
        to_frame=to_frame,
        to_image=_invert(to_frame),
        palm_width_px=ppu_source / image_scale,
    )
