"""The quality gate: generated variants get the expected reason codes, good re-encodes pass."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from palm.vision import thresholds as th
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.pipeline import analyze_bytes
from palm.vision.result import PalmAnalysis

PRINCIPAL = ("heart", "head", "life")


def _code(data: bytes) -> VisionErrorCode:
    with pytest.raises(VisionError) as info:
        analyze_bytes(data)
    return info.value.code


def test_blurred_palm_is_too_blurry(samples, palm_name: str) -> None:
    blurred = samples.blurred(samples.rgb(palm_name), 5.0)
    assert _code(samples.encode(blurred, "PNG")) is VisionErrorCode.TOO_BLURRY


def test_slightly_soft_palm_still_passes(samples) -> None:
    soft = samples.blurred(samples.rgb("palm_m_hanging"), 0.7)
    analysis = analyze_bytes(samples.encode(soft, "PNG"))
    assert all(analysis.lines[name].found for name in PRINCIPAL)


def test_darkened_palm_is_too_dark(samples, palm_name: str) -> None:
    dark = samples.exposed(samples.rgb(palm_name), 0.22)
    assert _code(samples.encode(dark, "PNG")) is VisionErrorCode.TOO_DARK


@pytest.mark.parametrize("name", ["palm_f_hanging", "palm_m_hanging"])
def test_overexposed_palm_is_overexposed(samples, name: str) -> None:
    bright = samples.exposed(samples.rgb(name), 1.5)
    assert _code(samples.encode(bright, "PNG")) is VisionErrorCode.OVEREXPOSED


def test_blown_out_photo_without_a_visible_hand_is_overexposed(samples) -> None:
    bright = samples.exposed(samples.rgb("palm_f_hanging"), 2.2)
    assert _code(samples.encode(bright, "PNG")) is VisionErrorCode.OVEREXPOSED


def test_small_hand_in_a_big_frame_is_too_small(samples) -> None:
    palm = samples.rgb("palm_m_hanging")[::5, ::5]
    canvas = np.full((1500, 2000, 3), 255, np.uint8)
    canvas[600 : 600 + palm.shape[0], 900 : 900 + palm.shape[1]] = palm
    assert _code(samples.encode(canvas, "PNG")) is VisionErrorCode.HAND_TOO_SMALL


def test_palm_cut_by_the_frame_is_cropped(samples, palm_name: str) -> None:
    analysis = samples.analysis(palm_name)
    rgb = samples.rgb(palm_name)
    scale = rgb.shape[1] / analysis.width
    wrist = np.array(analysis.landmarks[0]) * scale
    knuckle = np.array(analysis.landmarks[9]) * scale
    centre = (wrist + knuckle) / 2
    # keep the finger side of the palm only: cut along the line through the palm's centre
    direction = knuckle - wrist
    ys, xs = np.mgrid[0 : rgb.shape[0], 0 : rgb.shape[1]]
    keep = (xs - centre[0]) * direction[0] + (ys - centre[1]) * direction[1] > 0
    rows, cols = np.nonzero(keep)
    cropped = rgb[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    assert min(cropped.shape[:2]) >= 300
    code = _code(samples.encode(cropped, "PNG"))
    assert code in (VisionErrorCode.PALM_CROPPED, VisionErrorCode.NO_HAND)
    assert code is VisionErrorCode.PALM_CROPPED or palm_name == "palm_left_dark_sideways"


@pytest.mark.parametrize(
    ("fmt", "options"),
    [("PNG", {}), ("WEBP", {"quality": 85}), ("HEIF", {"quality": 80}), ("JPEG", {"quality": 40})],
)
def test_reencoded_palms_are_read(
    samples, palm_name: str, fmt: str, options: dict[str, int]
) -> None:
    data = samples.encode(samples.rgb(palm_name), fmt, **options)
    analysis = analyze_bytes(data)
    assert all(analysis.lines[name].found for name in PRINCIPAL)


def test_scaled_down_palm_is_still_read(samples) -> None:
    rgb = samples.rgb("palm_left_dark_sideways")
    half = np.ascontiguousarray(rgb[::2, ::2])
    analysis = analyze_bytes(samples.encode(half, "PNG"))
    assert all(analysis.lines[name].found for name in PRINCIPAL)


def _low_quality(analysis: PalmAnalysis) -> list[str]:
    return [warning for warning in analysis.warnings if warning.startswith("Low quality")]


def test_a_soft_but_readable_palm_is_read_with_a_low_quality_note(samples) -> None:
    soft = samples.blurred(samples.rgb("palm_left_dark_sideways"), 4.0)
    analysis = analyze_bytes(samples.encode(soft, "PNG"))
    assert th.MIN_SHARPNESS <= analysis.quality["sharpness"] < th.SOFT_SHARPNESS
    assert all(analysis.lines[name].found for name in PRINCIPAL)
    assert ["soft" in note for note in _low_quality(analysis)] == [True]


def test_a_sharp_palm_carries_no_quality_note(samples, palm_name: str) -> None:
    assert _low_quality(samples.analysis(palm_name)) == []


def test_a_webcam_sized_palm_is_read_with_a_low_quality_note(samples) -> None:
    rgb = samples.rgb("palm_left_dark_sideways")
    small = cv2.resize(
        rgb, (360, round(360 * rgb.shape[0] / rgb.shape[1])), interpolation=cv2.INTER_AREA
    )
    assert min(small.shape[:2]) < 300  # what IMAGE_TOO_SMALL used to refuse
    analysis = analyze_bytes(samples.encode(small, "PNG"))
    assert all(analysis.lines[name].found for name in ("heart", "life"))
    assert ["small" in note for note in _low_quality(analysis)] == [True]
