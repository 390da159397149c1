"""The pieces of an analysis: the job's input, the vision call, the rows it produces.

The whole operation (transactions, files, cache) is palm.readings.operations.run_analysis.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from sqlalchemy.orm import Session

from palm.accounts import reader_style
from palm.errors import PalmError
from palm.llm import record_usage
from palm.models import Image, Interpretation, LineResult, Reading
from palm.readers import ReaderOutcome, ReaderStyle
from palm.readings import rollups, store
from palm.settings import Settings
from palm.vision import PalmAnalysis, VisionError, analyze_bytes_with_image
from palm.vocabulary import Progress, ReadingStatus

RGB = npt.NDArray[np.uint8]
THUMBNAIL_SIDE = 256
LLM_CROP_SIDE = 384


@dataclass(frozen=True)
class ReadingInput:
    reading_id: int
    user_id: int
    hand_hint: Literal["left", "right"] | None
    analysis_types: list[str]
    image_key: str
    image_sha256: str
    has_thumbnail: bool
    #: A retry of a job whose earlier run committed before its worker lost Redis or died.
    already_done: bool = False
    #: How the person wants to be read to, as their preferences say when the job runs.
    style: ReaderStyle = field(default_factory=ReaderStyle)


def load_input(session: Session, reading_id: int) -> ReadingInput:
    reading = session.get(Reading, reading_id)
    image = session.get(Image, reading.image_id) if reading and reading.image_id else None
    if reading is None or image is None:
        raise PalmError("READING_NOT_FOUND", "This reading or its photo no longer exists.")
    hint = reading.hand_requested if reading.hand_requested in ("left", "right") else None
    return ReadingInput(
        reading_id=reading.id,
        user_id=reading.user_id,
        hand_hint=cast(Literal["left", "right"] | None, hint),
        analysis_types=list(reading.analysis_types),
        image_key=image.storage_key,
        image_sha256=image.sha256,
        has_thumbnail=image.thumbnail_key is not None,
        already_done=reading.status == ReadingStatus.DONE,
        style=reader_style(session, reading.user_id),
    )


def encode_image(rgb: RGB, max_side: int, fmt: str, quality: int) -> bytes:
    picture = PILImage.fromarray(rgb)
    picture.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    picture.save(buffer, format=fmt, quality=quality)
    return buffer.getvalue()


def palm_crop(rgb: RGB, analysis: PalmAnalysis, scale: float) -> bytes:
    """The hand's bounding box (from the landmarks), downscaled: what the LLM reader sees."""
    points = np.asarray(analysis.landmarks, dtype=float) * scale
    x0, y0 = np.maximum(points.min(axis=0) - 20, 0).astype(int)
    x1, y1 = points.max(axis=0).astype(int) + 20
    return encode_image(np.ascontiguousarray(rgb[y0:y1, x0:x1]), LLM_CROP_SIDE, "JPEG", 80)


def run_vision(
    data: bytes, job: ReadingInput, settings: Settings, progress: Progress
) -> tuple[PalmAnalysis, RGB, float]:
    try:
        analysis, loaded = analyze_bytes_with_image(
            data,
            hand_hint=job.hand_hint,
            max_bytes=settings.max_upload_bytes,
            progress=progress,
        )
    except VisionError as error:
        raise PalmError(error.code.value, f"{error.message} {error.tip}".strip()) from error
    return analysis, loaded.rgb, loaded.scale


def _line_rows(analysis: PalmAnalysis) -> list[LineResult]:
    return [
        LineResult(
            line=name,
            found=line.found,
            polyline=line.points,
            length_rel=line.length_rel,
            depth=line.depth,
            curvature=line.curvature,
            breaks=line.breaks,
            branches=line.branches,
            start_zone=line.start_zone,
            end_zone=line.end_zone,
            confidence=line.confidence,
        )
        for name, line in analysis.lines.items()
    ]


def _interpretation_rows(outcome: ReaderOutcome) -> list[Interpretation]:
    return [
        Interpretation(
            analysis_type=item.analysis_type.value,
            title=item.title,
            text=item.text,
            per_line=dict(item.per_line),
            confidence=item.confidence,
            engine=item.engine,
            version=item.prompt_version or item.table_version or "",
            fallback_reason=outcome.fallbacks.get(item.analysis_type),
        )
        for item in outcome.interpretations
    ]


def summary_of(analysis: PalmAnalysis) -> str:
    found = ", ".join(analysis.found_lines) or "no clear lines"
    return f"{analysis.hand.title()} hand, {analysis.hand_shape.element} shape; lines: {found}."


def store_results(
    session: Session,
    job: ReadingInput,
    analysis: PalmAnalysis,
    outcome: ReaderOutcome,
    overlay_key: str,
    thumbnail_key: str | None,
) -> str | None:
    """Everything the analysis produced, in the caller's transaction; returns a thumbnail key
    that was not needed (another worker stored one for the same photo first) so the caller
    can remove it once the transaction is over."""
    unused = None
    reading = session.get_one(Reading, job.reading_id)
    before, lines = rollups.snapshot(session, reading), _line_rows(analysis)
    store.replace_results(session, reading, lines, _interpretation_rows(outcome))
    image = session.get(Image, reading.image_id) if reading.image_id else None
    if image is not None and thumbnail_key is not None:
        if image.thumbnail_key is None:
            image.thumbnail_key = thumbnail_key
        else:
            unused = thumbnail_key
        image.width, image.height = analysis.width, analysis.height
    record_usage(session, outcome.usage_events, user_id=job.user_id, reading_id=job.reading_id)
    store.complete(
        reading,
        fields={
            "hand": analysis.hand,
            "hand_shape": analysis.hand_shape.element,
            "engine": outcome.engine,
            "summary": summary_of(analysis),
            "vision_version": analysis.version,
            "analysis": analysis.to_dict(),
            "overlay_key": overlay_key,
        },
    )
    rollups.apply(session, rollups.snapshot(session, reading, lines), before)
    return unused
