"""Re-shots of one hand (a little turned, nearer or farther, re-encoded, lighter or darker) agree
on which lines are there: the found / not-found verdict must not hang on photo noise."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from palm.vision.arrays import Array
from palm.vision.pipeline import analyze_bytes

DATA = Path(__file__).resolve().parents[1] / "data" / "palms"


def _turned(rgb: Array, degrees: float) -> Array:
    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def _reshots(rgb: Array) -> dict[str, tuple[Array, str, int]]:
    """Variant name → (pixels, format, JPEG quality)."""
    return {
        "turned -4°": (_turned(rgb, -4.0), "JPEG", 90),
        "turned +4°": (_turned(rgb, 4.0), "JPEG", 90),
        "85 % size": (
            cv2.resize(rgb, None, fx=0.85, fy=0.85, interpolation=cv2.INTER_AREA),
            "JPEG",
            90,
        ),
        "JPEG 60": (rgb, "JPEG", 60),
        "darker": (np.clip(rgb * 0.75, 0, 255).astype(np.uint8), "JPEG", 90),
        "brighter": (np.clip(rgb * 1.2, 0, 255).astype(np.uint8), "JPEG", 90),
    }


@pytest.mark.parametrize(
    "photo", ["palm_m_hanging.jpg", "palm_left_dark_sideways.jpg", "dev_fills_frame.jpg"]
)
def test_reshots_agree_on_which_lines_are_found(samples, photo: str) -> None:
    data = (DATA / photo).read_bytes()
    original = analyze_bytes(data)
    expected = {name: line.found for name, line in original.lines.items()}
    rgb = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    for variant, (pixels, fmt, quality) in _reshots(rgb).items():
        lines = analyze_bytes(samples.encode(pixels, fmt, quality=quality)).lines
        found = {name: line.found for name, line in lines.items()}
        assert found == expected, variant
