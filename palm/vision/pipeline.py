"""The public entry point: photo bytes → :class:`PalmAnalysis`, or a :class:`VisionError`.

Stages (reported through ``progress``): validating → landmarks → lines → metrics. Nothing but
``VisionError`` escapes for bad input; an unexpected failure inside the engine is wrapped as
``INTERNAL_ERROR`` so a worker can store a code either way.
"""

from __future__ import annotations

import logging
import time
from typing import Literal

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.audit import AuditTrace
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.frame import warp_palm
from palm.vision.hand import detect_hand
from palm.vision.lines import measure_lines, trace_lines
from palm.vision.loading import LoadedImage, load_image
from palm.vision.quality import (
    check_cropped,
    check_exposure_and_focus,
    check_hand_size,
    explain_missing_hand,
    quality_notes,
)
from palm.vision.result import ALGORITHM_VERSION, PalmAnalysis
from palm.vision.ridges import crease_maps
from palm.vision.shape import hand_shape
from palm.vision.side import decide_side
from palm.vocabulary import Progress, report

logger = logging.getLogger(__name__)


class StageClock:
    """Stage timings in milliseconds."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.ms: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.ms[stage] = round((now - self.last) * 1000.0, 2)
        self.last = now

    def total(self) -> None:
        self.ms["total"] = round((time.perf_counter() - self.start) * 1000.0, 2)


def analyze_image(
    loaded: LoadedImage,
    *,
    hand_hint: Literal["left", "right"] | None = None,
    progress: Progress | None = None,
    clock: StageClock | None = None,
    trace: AuditTrace | None = None,
) -> PalmAnalysis:
    """Analyse an already loaded photo (see :func:`palm.vision.loading.load_image`); an
    ``AuditTrace`` handed in records the palm frame, crease map and candidate paths."""
    clock = clock or StageClock()
    report(progress, "landmarks")
    detection = detect_hand(loaded.rgb)
    if detection is None:
        raise explain_missing_hand(loaded.rgb)
    side = decide_side(detection, hand_hint)
    points = detection.points
    check_hand_size(points, loaded.rgb.shape, loaded.scale)
    frame = warp_palm(loaded.rgb, points, loaded.scale)
    if trace is not None:
        trace.frame_rgb = frame.rgb
    check_cropped(frame, points, loaded.rgb.shape)
    clock.lap("landmarks")
    report(progress, "lines")
    maps = crease_maps(frame)
    if trace is not None:
        trace.strength = maps.strength
    quality = check_exposure_and_focus(frame, maps.lightness, maps.hand)
    paths = trace_lines(maps)
    clock.lap("lines")
    report(progress, "metrics")
    lines = measure_lines(paths, maps, frame, trace)
    original_points = points / loaded.scale
    shape = hand_shape(original_points)
    clock.lap("metrics")
    clock.total()
    return PalmAnalysis(
        version=ALGORITHM_VERSION,
        hand=side.hand,
        palm_side="palm",
        width=loaded.width,
        height=loaded.height,
        lines=lines,
        hand_shape=shape,
        landmarks=[[round(float(x)), round(float(y))] for x, y in original_points],
        warnings=side.warnings + quality_notes(quality, frame.palm_width_px),
        timings_ms=dict(clock.ms),
        quality=quality,
    )


def analyze_bytes_with_image(
    data: bytes,
    *,
    hand_hint: Literal["left", "right"] | None = None,
    max_bytes: int = th.MAX_FILE_BYTES,
    progress: Progress | None = None,
    trace: AuditTrace | None = None,
) -> tuple[PalmAnalysis, LoadedImage]:
    """Like :func:`analyze_bytes`, also returning the decoded image (for overlays). ``trace``
    (audits only) is filled with what the engine saw and decided."""
    clock = StageClock()
    report(progress, "validating")
    try:
        loaded = load_image(data, max_bytes=max_bytes)
        clock.lap("load")
        analysis = analyze_image(
            loaded, hand_hint=hand_hint, progress=progress, clock=clock, trace=trace
        )
    except VisionError:
        raise
    except Exception as exc:  # a bug or an unforeseen input: still a coded error
        logger.exception("vision pipeline failed")
        raise VisionError(VisionErrorCode.INTERNAL_ERROR) from exc
    return analysis, loaded


def analyze_bytes(
    data: bytes,
    *,
    hand_hint: Literal["left", "right"] | None = None,
    max_bytes: int = th.MAX_FILE_BYTES,
    progress: Progress | None = None,
) -> PalmAnalysis:
    """Validate, load and analyse photo bytes. Raises :class:`VisionError` for every rejection."""
    analysis, _ = analyze_bytes_with_image(
        data, hand_hint=hand_hint, max_bytes=max_bytes, progress=progress
    )
    return analysis


def decoded_rgb(data: bytes, *, max_bytes: int = th.MAX_FILE_BYTES) -> Array:
    """The upright RGB array of photo bytes, as the overlays want it."""
    return load_image(data, max_bytes=max_bytes).rgb
