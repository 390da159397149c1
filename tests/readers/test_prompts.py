"""Prompts: compact metrics, guardrails, the low-detail image, the token budget."""

from __future__ import annotations

import base64
import io

from PIL import Image

from palm.llm import LOW_DETAIL_IMAGE_TOKENS, estimate_input_tokens, estimate_text_tokens
from palm.readers.image import MAX_SIDE, palm_crop_data_url
from palm.readers.prompts import (
    PROMPT_VERSION,
    SYSTEM_PROMPT,
    build_messages,
    repair_messages,
    user_text,
)
from palm.vision.result import PalmAnalysis
from palm.vocabulary import AnalysisType
from tests.support.stub_openai import sample_jpeg

TEXT_BUDGET = 1000


def test_system_prompt_sets_the_guardrails() -> None:
    for phrase in ("entertainment", "medical", "lifespan", "not found", "JSON"):
        assert phrase in SYSTEM_PROMPT
    assert PROMPT_VERSION


def test_user_text_has_metrics_and_bands_not_polylines(hand_a: PalmAnalysis) -> None:
    text = user_text(hand_a, AnalysisType.CAREER)
    assert "fate: found conf=0.62 length=0.95(medium)" in text
    assert "sun: found" in text and "start=wrist" in text
    assert "heart:" not in text and "life:" not in text  # only the type's own lines
    assert "[10, 10]" not in text and "points" not in text
    assert "shape: fire" in text


def test_lines_not_found_are_marked(hand_b: PalmAnalysis) -> None:
    text = user_text(hand_b, AnalysisType.HEALTH)
    assert "mercury: NOT FOUND (do not interpret)" in text
    assert "length=0.40" not in text  # the rejected candidate's numbers are not sent
    assert "life: found" in text


def test_messages_carry_the_image_at_low_detail(hand_a: PalmAnalysis) -> None:
    messages = build_messages(hand_a, AnalysisType.LOVE, "data:image/jpeg;base64,AAAA")
    assert messages[0] == {"role": "system", "content": SYSTEM_PROMPT}
    parts = messages[1]["content"]
    assert parts[1] == {  # type: ignore[index]
        "type": "image_url",
        "image_url": {"url": "data:image/jpeg;base64,AAAA", "detail": "low"},
    }
    without = build_messages(hand_a, AnalysisType.LOVE, None)
    assert len(without[1]["content"]) == 1  # type: ignore[arg-type]


def test_text_tokens_per_type_stay_under_budget(hand_a: PalmAnalysis, hand_b: PalmAnalysis) -> None:
    for hand in (hand_a, hand_b):
        for kind in AnalysisType:
            text_only = estimate_input_tokens(build_messages(hand, kind, None))
            with_image = estimate_input_tokens(build_messages(hand, kind, "data:,x"))
            print(f"{hand.hand} {kind.value}: text {text_only} tokens, with image {with_image}")
            assert with_image == text_only + LOW_DETAIL_IMAGE_TOKENS
            assert with_image <= TEXT_BUDGET


def test_token_estimator_counts_roughly_four_characters_a_token() -> None:
    assert estimate_text_tokens("") == 0
    assert estimate_text_tokens("abcd" * 100) == 100
    messages = [{"role": "system", "content": "abcd" * 10}]
    assert estimate_input_tokens(messages) == 10 + 4


def test_repair_sends_the_bad_reply_back(hand_a: PalmAnalysis) -> None:
    messages = build_messages(hand_a, AnalysisType.HEAD, None)
    repaired = repair_messages(messages, "oops", "Invalid JSON")
    assert repaired[:2] == messages
    assert repaired[2] == {"role": "assistant", "content": "oops"}
    assert "Invalid JSON" in str(repaired[3]["content"])


def test_palm_crop_is_downscaled_jpeg() -> None:
    url = palm_crop_data_url(sample_jpeg(2000, 1500))
    assert url is not None and url.startswith("data:image/jpeg;base64,")
    with Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))) as image:
        assert max(image.size) == MAX_SIDE
        assert image.format == "JPEG"


def test_junk_bytes_give_no_image() -> None:
    assert palm_crop_data_url(b"definitely not a jpeg") is None
