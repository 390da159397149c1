"""Finding the hand: rotations, left/right, palm versus back, several hands, no hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from palm.vision import hand as hand_module
from palm.vision import thresholds as th
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.hand import HandDetection, detect_hand, geometric_chirality
from palm.vision.pipeline import analyze_bytes
from palm.vision.side import looks_like_back

PRINCIPAL = ("heart", "head", "life")


def _code(data: bytes) -> VisionErrorCode:
    with pytest.raises(VisionError) as info:
        analyze_bytes(data)
    return info.value.code


def test_every_palm_sample_is_read(samples, palm_name: str) -> None:
    analysis = samples.analysis(palm_name)
    assert analysis.palm_side == "palm"
    assert analysis.hand == "right"  # all three samples are right palms (see tests/data/palms)
    assert all(analysis.lines[name].found for name in PRINCIPAL)


def test_backs_of_hands_are_rejected(samples, back_name: str) -> None:
    assert _code(samples.bytes(back_name)) is VisionErrorCode.BACK_OF_HAND


@pytest.mark.parametrize("quarter_turns", [1, 2, 3])
def test_rotated_palms_are_found(samples, palm_name: str, quarter_turns: int) -> None:
    rotated = np.rot90(samples.rgb(palm_name), quarter_turns)
    analysis = analyze_bytes(samples.encode(rotated, "PNG"))
    assert analysis.hand == "right"
    assert all(analysis.lines[name].found for name in PRINCIPAL)


@pytest.mark.parametrize("quarter_turns", [0, 1, 2])
def test_rotated_backs_are_still_backs(samples, back_name: str, quarter_turns: int) -> None:
    rotated = np.rot90(samples.rgb(back_name), quarter_turns)
    assert _code(samples.encode(rotated, "PNG")) is VisionErrorCode.BACK_OF_HAND


def test_mirrored_palm_is_the_other_hand(samples, palm_name: str) -> None:
    mirrored = samples.rgb(palm_name)[:, ::-1]
    assert analyze_bytes(samples.encode(mirrored, "PNG")).hand == "left"


def test_mirrored_back_is_still_a_back(samples, back_name: str) -> None:
    mirrored = samples.rgb(back_name)[:, ::-1]
    assert _code(samples.encode(mirrored, "PNG")) is VisionErrorCode.BACK_OF_HAND


def test_stated_hand_wins_with_a_warning(samples) -> None:
    analysis = analyze_bytes(samples.bytes("palm_m_hanging"), hand_hint="left")
    assert analysis.hand == "left"
    assert any("mirrored" in warning for warning in analysis.warnings)
    agreeing = analyze_bytes(samples.bytes("palm_m_hanging"), hand_hint="right")
    assert agreeing.hand == "right" and agreeing.warnings == []


def test_blank_photo_has_no_hand(samples) -> None:
    rng = np.random.default_rng(1)
    texture = rng.integers(90, 160, size=(600, 800, 3), dtype=np.uint8)
    assert _code(samples.encode(texture, "PNG")) is VisionErrorCode.NO_HAND


def test_largest_of_two_hands_is_read_with_a_warning(samples) -> None:
    big = samples.rgb("palm_m_hanging")
    small = big[::2, ::2]
    canvas = np.full((big.shape[0], big.shape[1] + small.shape[1], 3), 255, np.uint8)
    canvas[:, : big.shape[1]] = big
    canvas[: small.shape[0], big.shape[1] :] = small
    analysis = analyze_bytes(samples.encode(canvas, "PNG"))
    assert any("More than one hand" in warning for warning in analysis.warnings)
    xs = [x for x, _ in analysis.landmarks]
    assert max(xs) < big.shape[1]  # the landmarks belong to the big hand on the left


def test_landmarks_map_back_through_rotation(samples) -> None:
    rgb = samples.rgb("palm_f_hanging")
    upright = detect_hand(rgb)
    turned = detect_hand(np.ascontiguousarray(np.rot90(rgb, 1)))
    assert upright is not None and turned is not None
    height, width = rgb.shape[:2]
    # rot90 (counter-clockwise) moves original (x, y) to (y, width - 1 - x)
    expected = np.stack([upright.points[:, 1], width - 1 - upright.points[:, 0]], axis=1)
    palm_width = np.linalg.norm(upright.points[5] - upright.points[17])
    assert np.median(np.linalg.norm(turned.points - expected, axis=1)) < 0.15 * palm_width
    assert geometric_chirality(turned.points) == geometric_chirality(upright.points)
    assert height > 0


def test_mediapipe_model_is_built_once(samples) -> None:
    detect_hand(samples.rgb("palm_m_hanging"))
    first = hand_module._get_hands()
    detect_hand(samples.rgb("palm_f_hanging"))
    assert hand_module._get_hands() is first


DEV = Path(__file__).resolve().parents[1] / "data" / "palms"


def test_a_palm_filling_the_frame_is_found_on_a_zoomed_out_copy(monkeypatch) -> None:
    data = (DEV / "dev_fills_frame.jpg").read_bytes()
    analysis = analyze_bytes(data)
    assert all(analysis.lines[name].found for name in PRINCIPAL)
    monkeypatch.setattr(th, "DETECT_PADDINGS", ())
    assert _code(data) is VisionErrorCode.NO_HAND  # what rotations alone made of it


def test_padded_detection_maps_landmarks_back_to_the_photo(samples) -> None:
    rgb = samples.rgb("palm_f_hanging")
    plain = detect_hand(rgb)
    canvas, pad = hand_module.padded(rgb, 0.3)
    found = detect_hand(canvas)
    assert plain is not None and found is not None
    palm_width = np.linalg.norm(plain.points[5] - plain.points[17])
    error = np.linalg.norm(found.points - pad - plain.points, axis=1)
    assert np.median(error) < 0.1 * palm_width


def test_a_palm_cut_at_the_wrist_is_cropped_not_missing() -> None:
    assert _code((DEV / "dev_wrist_cut.jpg").read_bytes()) is VisionErrorCode.PALM_CROPPED


def _detection(score: float, knuckle_z: float, agrees: bool) -> HandDetection:
    """A "Left"-labelled detection (MediaPipe's label for a right hand) whose geometry is that
    of a right palm when ``agrees``, else of a left one."""
    points = np.zeros((21, 2))
    points[0], points[5], points[17] = (50, 100), (80, 0), (20, 0)  # a right palm, fingers up
    if not agrees:
        points[:, 0] = 100 - points[:, 0]
    depth = np.zeros(21)
    depth[[5, 9, 13, 17]] = knuckle_z
    return HandDetection(points, depth, "Left", score, 1, 0)


def test_an_unsure_label_that_agrees_with_the_geometry_is_a_palm() -> None:
    # the dev set's lowest-scoring palm: label 0.66, knuckles 0.054 nearer than the wrist
    assert not looks_like_back(_detection(0.66, -0.054, agrees=True))
    assert looks_like_back(_detection(0.66, -0.054, agrees=False))  # then the knuckles decide


def test_a_confident_label_decides_alone() -> None:
    assert looks_like_back(_detection(0.97, 0.0, agrees=False))
    assert not looks_like_back(_detection(0.97, -0.1, agrees=True))


def test_an_unsure_contradicting_label_leaves_the_depth_cue_to_decide() -> None:
    assert looks_like_back(_detection(0.6, -0.08, agrees=False))
    assert not looks_like_back(_detection(0.6, 0.0, agrees=False))


@pytest.mark.parametrize("shape", [(2667, 4000, 3), (4032, 3024, 3), (1067, 1600, 3)])
def test_detection_copy_is_1024_px_and_its_scale_maps_back(shape: tuple[int, int, int]) -> None:
    image = np.zeros(shape, np.uint8)
    image[shape[0] // 3, shape[1] // 4] = 255  # one bright pixel to find again
    small, scale = hand_module._downscaled(image)
    assert max(small.shape[:2]) == th.DETECT_LONG_SIDE
    y, x = np.unravel_index(int(np.argmax(small[:, :, 0])), small.shape[:2])
    assert abs(x / scale - shape[1] // 4) < 2 / scale and abs(y / scale - shape[0] // 3) < 2 / scale
