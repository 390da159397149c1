"""Prompts for the LLM reader, versioned: PROMPT_VERSION is part of the cache key.

Token economy: the model gets the measured metrics in one compact line per line (bands and the
numbers behind them, never polylines) and the downscaled palm crop at "low" detail.
"""

from __future__ import annotations

from typing import Any

from openai.types.chat import ChatCompletionMessageParam

from palm.readers.style import ReaderStyle
from palm.readers.table import line_bands
from palm.vision import LineResult, PalmAnalysis
from palm.vocabulary import LANGUAGE_LABELS, TYPE_LINES, AnalysisType, ReadingLength, Tone

PROMPT_VERSION = "prompt-1.1"  # 1.1: tone, length, language and the hand's role

TONE_VOICE: dict[Tone, str] = {
    Tone.WARM: "a warm, gentle",
    Tone.MATTER_OF_FACT: "a calm, matter-of-fact (plain words, no flourishes, no exclamations)",
    Tone.PLAYFUL: "a playful, witty (light jokes welcome)",
}
LENGTH_SHAPE: dict[ReadingLength, tuple[str, str]] = {
    ReadingLength.SHORT: ("1 sentence", "1-2 sentences"),
    ReadingLength.FULL: ("2-3 sentences", "2-4 sentences"),
}
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "es": "Spanish", "fr": "French"}
HAND_ROLE_TEXT = {
    "present": "This is the person's dominant hand: read it as the present, what they are "
    "making of themselves.",
    "potential": "This is the person's other (non-dominant) hand: read it as potential, what "
    "they were given.",
}

SYSTEM_TEMPLATE = (
    "You are {voice} palm reader in an entertainment app. Readings are for fun: "
    "never give medical, psychological, financial or legal advice; never mention diseases, "
    "illness, diagnoses, death, lifespan or how long someone will live; never predict "
    "misfortune. Speak of energy, balance and character. Interpret only the lines marked "
    "found; for a line marked not found, say it was not clear in the photo. Base the reading "
    "on the measurements given (bands are relative to a typical palm) and the photo. "
    "Write every text in {language}. Reply with one JSON object only: "
    '{{"per_line": {{"<line>": "<{line_length}>"}}, "overall": "<{overall_length}>", '
    '"confidence": <0..1, how clearly the photo and measurements support the reading>}}.'
)


def system_prompt(style: ReaderStyle) -> str:
    """The guardrails, in the person's tone, length and language."""
    line_length, overall_length = LENGTH_SHAPE[style.length]
    return SYSTEM_TEMPLATE.format(
        voice=TONE_VOICE[style.tone],
        language=LANGUAGE_NAMES.get(style.language.value, LANGUAGE_LABELS[style.language]),
        line_length=line_length,
        overall_length=overall_length,
    )


SYSTEM_PROMPT = system_prompt(ReaderStyle())

TYPE_FOCUS: dict[AnalysisType, str] = {
    AnalysisType.LIFE: "Life path: read the life line for vitality of spirit, change and "
    "direction (never duration).",
    AnalysisType.LOVE: "Love and emotions: read the heart line for affection, attachment and "
    "emotional style.",
    AnalysisType.CAREER: "Career and purpose: read the fate line for direction and the sun "
    "line for creativity and recognition.",
    AnalysisType.HEALTH: "Energy and balance: read the mercury line and the life line only as "
    "energy, rhythm, rest and balance, in entertainment terms; no body, medical or lifespan "
    "statements.",
    AnalysisType.HEAD: "Mind: read the head line for thinking style, focus and imagination.",
}

REPAIR_PROMPT = (
    "That reply was not valid for the required schema ({error}). Reply again with only the "
    'JSON object {{"per_line": {{...}}, "overall": "...", "confidence": 0.0-1.0}}.'
)


def describe_line(line: LineResult | None, name: str) -> str:
    """One compact line of metrics, or the not-found marker."""
    if line is None or not line.found:
        return f"{name}: NOT FOUND (do not interpret)"
    bands = line_bands(line)
    return (
        f"{name}: found conf={line.confidence:.2f} length={line.length_rel:.2f}"
        f"({bands['length']}) depth={line.depth:.2f}({bands['depth']}) "
        f"curvature={line.curvature:.2f}({bands['curvature']}) breaks={line.breaks} "
        f"branches={line.branches} start={line.start_zone} end={line.end_zone}"
    )


def user_text(
    analysis: PalmAnalysis, analysis_type: AnalysisType, style: ReaderStyle | None = None
) -> str:
    """The measurement part of the request for one analysis type."""
    shape = analysis.hand_shape
    lines = [describe_line(analysis.lines.get(name), name) for name in TYPE_LINES[analysis_type]]
    role = (style or ReaderStyle()).hand_role(analysis.hand)
    return "\n".join(
        [
            TYPE_FOCUS[analysis_type],
            f"Hand: {analysis.hand}; shape: {shape.element} (palm ratio {shape.palm_ratio:.2f}, "
            f"finger ratio {shape.finger_ratio:.2f}).",
            *([HAND_ROLE_TEXT[role]] if role else []),
            "Lines (length in palm widths; depth 0-1; curvature 0 straight..0.5 semicircle):",
            *lines,
            f"per_line keys: {', '.join(TYPE_LINES[analysis_type])}.",
        ]
    )


def build_messages(
    analysis: PalmAnalysis,
    analysis_type: AnalysisType,
    image_data_url: str | None,
    style: ReaderStyle | None = None,
) -> list[ChatCompletionMessageParam]:
    """System guardrails in the person's style plus the type's metrics, with the palm crop at
    low detail if given."""
    style = style or ReaderStyle()
    text = user_text(analysis, analysis_type, style)
    content: list[dict[str, Any]] = [{"type": "text", "text": text}]
    if image_data_url:
        content.append({"type": "image_url", "image_url": {"url": image_data_url, "detail": "low"}})
    user: Any = {"role": "user", "content": content}
    return [{"role": "system", "content": system_prompt(style)}, user]


def repair_messages(
    messages: list[ChatCompletionMessageParam], bad_reply: str, error: str
) -> list[ChatCompletionMessageParam]:
    """The conversation so far, the bad reply, and a request for valid JSON only."""
    return [
        *messages,
        {"role": "assistant", "content": bad_reply[:2000]},
        {"role": "user", "content": REPAIR_PROMPT.format(error=error[:200])},
    ]
