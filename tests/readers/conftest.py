"""Palm analyses built by hand (two different hands) and a local OpenAI-compatible stub."""

from __future__ import annotations

import pytest

from palm.vision import PalmAnalysis
from tests.support.analyses import make_analysis, make_line


@pytest.fixture
def hand_a() -> PalmAnalysis:
    """Every line found: long deep curved heart and life, a fate line from the wrist."""
    return make_analysis(
        [
            make_line(
                "heart",
                length_rel=1.12,
                depth=0.52,
                curvature=0.21,
                branches=2,
                start_zone="palm_edge",
                end_zone="under_index",
                confidence=0.91,
            ),
            make_line(
                "head",
                length_rel=0.98,
                depth=0.33,
                curvature=0.1,
                start_zone="thumb_web",
                end_zone="lower_palm_edge",
                confidence=0.84,
            ),
            make_line(
                "life",
                length_rel=1.4,
                depth=0.48,
                curvature=0.24,
                branches=1,
                start_zone="thumb_web",
                end_zone="wrist",
                confidence=0.88,
            ),
            make_line(
                "fate",
                length_rel=0.95,
                depth=0.25,
                curvature=0.04,
                start_zone="wrist",
                end_zone="under_middle",
                confidence=0.62,
            ),
            make_line("sun", length_rel=0.4, depth=0.18, curvature=0.05, confidence=0.55),
            make_line(
                "mercury", length_rel=0.7, depth=0.22, curvature=0.12, breaks=1, confidence=0.5
            ),
        ],
        hand="right",
        element="fire",
    )


@pytest.fixture
def hand_b() -> PalmAnalysis:
    """Short straight principal lines; fate, sun and mercury not found (rejected candidates)."""
    return make_analysis(
        [
            make_line(
                "heart",
                length_rel=0.6,
                depth=0.15,
                curvature=0.03,
                breaks=1,
                end_zone="under_middle",
                confidence=0.7,
            ),
            make_line(
                "head",
                length_rel=0.7,
                depth=0.3,
                curvature=0.02,
                breaks=0,
                branches=3,
                start_zone="under_index",
                end_zone="palm_edge",
                confidence=0.66,
            ),
            make_line(
                "life",
                length_rel=1.0,
                depth=0.3,
                curvature=0.12,
                breaks=2,
                branches=4,
                start_zone="thumb_web",
                end_zone="palm_centre",
                confidence=0.74,
            ),
            make_line(
                "fate", found=False, length_rel=0.9, depth=0.5, curvature=0.3, confidence=0.2
            ),
            make_line("sun", found=False, length_rel=0.5, depth=0.1, confidence=0.1),
            make_line("mercury", found=False, length_rel=0.4, depth=0.1, confidence=0.1),
        ],
        hand="left",
        element="earth",
    )


@pytest.fixture
def palm_crop_jpeg() -> bytes:
    from tests.support.stub_openai import sample_jpeg

    return sample_jpeg(1600, 1200)
