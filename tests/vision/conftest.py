"""Fixtures for the vision tests: sample photos from tests/data/palms and variant makers.

The MediaPipe model is built once per process by palm.vision.hand (module-level cache), so the
whole suite pays for it once. Analyses of unmodified samples are cached here for the same
reason.
"""

from __future__ import annotations

import builtins
import io
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from palm.vision.arrays import Array
from palm.vision.loading import load_image
from palm.vision.pipeline import analyze_bytes
from palm.vision.result import PalmAnalysis

DATA = Path(__file__).resolve().parents[1] / "data" / "palms"
PALMS = ["palm_left_dark_sideways", "palm_f_hanging", "palm_m_hanging"]
BACKS = ["back_f_hanging", "back_m_hanging"]


class Samples:
    """Sample photos (cached per session) and the variant makers tests need."""

    palms = PALMS
    backs = BACKS

    @staticmethod
    @cache
    def bytes(name: str) -> builtins.bytes:
        return (DATA / f"{name}.jpg").read_bytes()

    @staticmethod
    @cache
    def rgb(name: str) -> Array:
        rgb = load_image(Samples.bytes(name)).rgb
        rgb.setflags(write=False)
        return rgb

    @staticmethod
    @cache
    def analysis(name: str) -> PalmAnalysis:
        return analyze_bytes(Samples.bytes(name))

    @staticmethod
    def encode(rgb: Array, fmt: str = "PNG", **options: object) -> builtins.bytes:
        """Encode an RGB(A) array with Pillow; HEIF through pillow-heif."""
        if fmt.upper() in ("HEIF", "HEIC"):
            import pillow_heif

            pillow_heif.register_heif_opener()
            fmt = "HEIF"
        buffer = io.BytesIO()
        Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format=fmt, **options)
        return buffer.getvalue()

    @staticmethod
    def blurred(rgb: Array, sigma_at_1024: float) -> Array:
        sigma = sigma_at_1024 * max(rgb.shape[:2]) / 1024
        return cv2.GaussianBlur(np.ascontiguousarray(rgb), (0, 0), sigma)

    @staticmethod
    def exposed(rgb: Array, factor: float) -> Array:
        return np.clip(rgb.astype(np.float64) * factor, 0, 255).astype(np.uint8)


@pytest.fixture(scope="session")
def samples() -> type[Samples]:
    return Samples


@pytest.fixture(params=PALMS)
def palm_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=BACKS)
def back_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)
