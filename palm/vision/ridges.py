"""Crease strength in the palm frame: how much each pixel looks like a dark, line-shaped valley.

Measured on the samples (docs/vision.md): multi-scale black-hat responds to creases but also to
pores and to the hand's outline; a Hessian valley filter (Sato-like: the larger eigenvalue,
minus any positive smaller one so blobs do not count; sigmas 1.5–3.5 px in a 256 px frame)
keeps the principal creases continuous and leaves pores faint. scikit-image's ``sato`` gives
the same picture in ~19 ms; the OpenCV version below takes ~1.5 ms. OpenCV's ximgproc ridge
filter is not scale-selective and lit up the whole skin texture. Black-hat at one scale is kept
as the crease *depth* (lightness drop against its surroundings).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.frame import PalmFrame


@dataclass(frozen=True)
class CreaseMaps:
    """``strength`` 0–1 (valley filter, normalised inside the palm), ``depth`` 0–1 (black-hat
    lightness drop / 96), ``hand`` the skin pixels inside the palm, ``lightness`` the raw L."""

    strength: Array
    depth: Array
    hand: Array
    lightness: Array
    background_level: float
    background_spread: float


def enhanced_lightness(rgb: Array) -> tuple[Array, Array]:
    """(raw L, CLAHE-equalised L) of Lab, both uint8."""
    lightness = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)[:, :, 0]
    clahe = cv2.createCLAHE(clipLimit=th.CLAHE_CLIP, tileGridSize=(th.CLAHE_TILES,) * 2)
    return lightness, clahe.apply(lightness)


def valley_response(image: Array, sigmas: tuple[float, ...]) -> Array:
    """Multi-scale Hessian response to dark line-like valleys (scale-normalised by sigma²)."""
    response = np.zeros(image.shape, np.float32)
    for sigma in sigmas:
        blurred = cv2.GaussianBlur(image, (0, 0), sigma)
        dxx = cv2.Sobel(blurred, cv2.CV_32F, 2, 0, ksize=3)
        dyy = cv2.Sobel(blurred, cv2.CV_32F, 0, 2, ksize=3)
        dxy = cv2.Sobel(blurred, cv2.CV_32F, 1, 1, ksize=3)
        trace = dxx + dyy
        root = np.sqrt((dxx - dyy) ** 2 + 4.0 * dxy**2)
        across, along = (trace + root) / 2.0, (trace - root) / 2.0
        line_like = np.maximum(0.0, across - np.maximum(0.0, along))
        response = np.maximum(response, (sigma * sigma) * line_like)
    return response


def skin_mask(frame: PalmFrame) -> Array:
    """Palm-polygon pixels that look like the palm's own skin (not background, not outside the
    photo). Colour is compared after a blur wide enough to erase creases."""
    lab = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
    smooth = cv2.blur(lab, (9, 9))
    core = frame.palm_mask & frame.inside
    if not core.any():
        return core
    reference = np.median(smooth[core], axis=0)
    difference = smooth - reference
    # Darker than the skin (creases, the shadow of the thumb web) is still palm; brighter is
    # usually background, so lightness counts more upwards than downwards.
    difference[:, :, 0] *= np.where(difference[:, :, 0] > 0, 0.5, 0.15)
    distance = np.sqrt((difference**2).sum(axis=2))
    skin = (distance < th.SKIN_COLOUR_DISTANCE) & core
    skin = cv2.morphologyEx(skin.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    return cv2.erode(skin, np.ones((5, 5), np.uint8)).astype(bool)


def crease_maps(frame: PalmFrame) -> CreaseMaps:
    """Strength, depth and skin masks for one palm frame."""
    lightness, enhanced = enhanced_lightness(frame.rgb)
    smooth = cv2.GaussianBlur(enhanced, (0, 0), 1.0).astype(np.float32) / 255.0
    hand = skin_mask(frame)
    ridge = valley_response(smooth, th.VALLEY_SIGMAS)
    ridge[~hand] = 0.0
    values = ridge[hand] if hand.any() else ridge.ravel()
    peak = float(np.percentile(values, th.STRENGTH_PERCENTILE)) or 1.0
    strength = np.clip(ridge / peak, 0.0, 1.0).astype(np.float32)
    size = max(3, round(th.DEPTH_SCALE * frame.size) | 1)
    element = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    blackhat = cv2.morphologyEx(enhanced, cv2.MORPH_BLACKHAT, element).astype(np.float32)
    depth = np.clip(blackhat / 96.0, 0.0, 1.0)
    inside = strength[hand] if hand.any() else strength.ravel()
    level = float(np.median(inside))
    spread = float(np.median(np.abs(inside - level))) + 1e-3
    return CreaseMaps(
        strength=strength,
        depth=depth,
        hand=hand,
        lightness=lightness,
        background_level=level,
        background_spread=spread,
    )
