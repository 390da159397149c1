"""The analysis job's work: photo → vision engine → reader → stored reading.

Runs in a worker. Files (overlay, thumbnail) are written before the final transaction and
removed again if it fails, so a failed attempt leaves no orphans and a retry starts clean.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import numpy.typing as npt
from PIL import Image as PILImage
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.errors import PalmError
from palm.infra.storage import BlobStore
from palm.models import Image, Interpretation, LineResult, Reading
from palm.reading.service import build_llm_reader, interpret
from palm.reading.types import ReaderOutcome, expand_types
from palm.services import readings, rollups
from palm.services.explore_cache import invalidate_user
from palm.services.usage import record_usage
from palm.settings import Settings
from palm.vision.errors import VisionError
from palm.vision.overlay import render_overlay_png
from palm.vision.pipeline import analyze_bytes_with_image
from palm.vision.result import PalmAnalysis

Progress = Callable[[str, float], None]
RGB = npt.NDArray[np.uint8]
STAGE_PROGRESS = {
    "validating": 0.05,
    "landmarks": 0.2,
    "lines": 0.4,
    "metrics": 0.6,
    "interpreting": 0.7,
    "saving": 0.9,
}
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


def _load_input(session: Session, reading_id: int) -> ReadingInput:
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


def _vision(
    data: bytes, job: ReadingInput, settings: Settings, progress: Progress
) -> tuple[PalmAnalysis, RGB, float]:
    try:
        analysis, loaded = analyze_bytes_with_image(
            data,
            hand_hint=job.hand_hint,
            max_bytes=settings.max_upload_bytes,
            progress=lambda stage: progress(stage, STAGE_PROGRESS.get(stage, 0.5)),
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
        )
        for item in outcome.interpretations
    ]


def summary_of(analysis: PalmAnalysis) -> str:
    found = ", ".join(analysis.found_lines) or "no clear lines"
    return f"{analysis.hand.title()} hand, {analysis.hand_shape.element} shape; lines: {found}."


def _save(
    factory: sessionmaker[Session],
    job: ReadingInput,
    analysis: PalmAnalysis,
    outcome: ReaderOutcome,
    overlay_key: str,
    thumbnail_key: str | None,
) -> str | None:
    """Store everything in one transaction; returns a thumbnail key that was not needed
    (another worker stored one for the same photo first) so the caller can remove it."""
    unused = None
    with transaction(factory) as session:
        reading = session.get_one(Reading, job.reading_id)
        before, lines = rollups.snapshot(session, reading), _line_rows(analysis)
        readings.replace_results(session, reading, lines, _interpretation_rows(outcome))
        image = session.get(Image, reading.image_id) if reading.image_id else None
        if image is not None and thumbnail_key is not None:
            if image.thumbnail_key is None:
                image.thumbnail_key = thumbnail_key
            else:
                unused = thumbnail_key
            image.width, image.height = analysis.width, analysis.height
        record_usage(session, outcome.usage_events, user_id=job.user_id, reading_id=job.reading_id)
        readings.complete(
            session,
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


def run_analysis(
    factory: sessionmaker[Session],
    store: BlobStore,
    redis: Redis,
    settings: Settings,
    reading_id: int,
    progress: Progress,
) -> None:
    """Analyse one reading's photo and store everything it produced in one transaction."""
    with transaction(factory) as session:
        job = _load_input(session, reading_id)
    analysis, rgb, scale = _vision(store.get(job.image_key), job, settings, progress)
    progress("interpreting", STAGE_PROGRESS["interpreting"])
    outcome = interpret(
        analysis,
        expand_types(job.analysis_types),
        image_sha256=job.image_sha256,
        palm_crop_jpeg=palm_crop(rgb, analysis, scale),
        llm=build_llm_reader(settings, redis),
    )
    progress("saving", STAGE_PROGRESS["saving"])
    written = [store.put(render_overlay_png(rgb, analysis))]
    if not job.has_thumbnail:
        written.append(store.put(encode_image(rgb, THUMBNAIL_SIDE, "WEBP", 80)))
    try:
        unused = _save(
            factory, job, analysis, outcome, written[0], written[1] if len(written) > 1 else None
        )
    except BaseException:
        for key in written:
            store.delete(key)
        raise
    store.delete(unused)
    invalidate_user(redis, job.user_id)  # after the commit: explore views show it at once
