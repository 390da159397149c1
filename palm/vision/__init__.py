"""Vision engine: load photos, find the hand, trace and measure palm lines, draw overlays.

Public API (no Streamlit, no database; safe in workers and the CLI):

- ``palm.vision.pipeline.analyze_bytes(data, *, hand_hint=None, max_bytes=20 MB, progress=None)
  -> PalmAnalysis`` — the entry point. Raises ``palm.vision.errors.VisionError`` (``code`` a
  ``VisionErrorCode`` str-enum, ``message``, ``tip``) for every rejection, including
  ``INTERNAL_ERROR`` for unexpected failures. ``progress`` receives "validating", "landmarks",
  "lines", "metrics".
- ``palm.vision.pipeline.analyze_bytes_with_image(...) -> (PalmAnalysis, LoadedImage)`` — the
  same, also returning the decoded photo for overlays; or decode separately with
  ``palm.vision.loading.load_image(data).rgb``. The analysis never holds pixel arrays.
- ``palm.vision.result``: ``PalmAnalysis`` / ``LineResult`` / ``HandShape`` dataclasses,
  ``to_dict()`` (JSON-ready) and ``PalmAnalysis.from_dict``; ``ALGORITHM_VERSION``.
  Polylines are ``[[x, y], ...]`` ints in the upright original photo (``width`` × ``height``).
- ``palm.vision.overlay.render_overlay_jpeg(image_rgb, analysis) -> bytes`` (what a reading
  stores; ``render_overlay_png`` for files, ``as_png(stored)`` for downloads) and
  ``overlay_figure(image_rgb, analysis) -> plotly Figure`` (polylines are rescaled to whatever
  size ``image_rgb`` has); ``downscaled(image_rgb, max_side)``, the photo at overlay (or
  thumbnail) size, computed once and handed to both.
- ``palm.vision.audit.AuditTrace``: handed to ``analyze_bytes_with_image(..., trace=)`` by
  audits (``bench/vision_audit.py``), it records the palm frame, crease map and every
  candidate path with its verdict; nothing else uses it.
- ``palm.vision.cli.main(argv) -> int`` — ``python -m palm analyze FILE... [--json]
  [--overlay-dir DIR] [--hand left|right]``.

All tunable numbers live in ``palm.vision.thresholds``; the method is described in
``docs/vision.md``. The MediaPipe model is built once per process, lazily.
"""

from palm.vision.audit import AuditTrace, CandidatePath
from palm.vision.cli import main as run_cli
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.frame import PALM_POLYGON, fit_frame_affine, frame_to_units
from palm.vision.hand import detect_hand
from palm.vision.loading import sniff_format
from palm.vision.overlay import (
    LINE_COLOURS,
    as_png,
    downscaled,
    overlay_figure,
    render_overlay_jpeg,
    render_overlay_png,
)
from palm.vision.pipeline import analyze_bytes, analyze_bytes_with_image, decoded_rgb
from palm.vision.result import ALGORITHM_VERSION, HandShape, LineResult, PalmAnalysis, is_faint
from palm.vision.thresholds import FAINT_CONFIDENCE

__all__ = [
    "ALGORITHM_VERSION",
    "FAINT_CONFIDENCE",
    "LINE_COLOURS",
    "PALM_POLYGON",
    "AuditTrace",
    "CandidatePath",
    "HandShape",
    "LineResult",
    "PalmAnalysis",
    "VisionError",
    "VisionErrorCode",
    "analyze_bytes",
    "analyze_bytes_with_image",
    "as_png",
    "decoded_rgb",
    "detect_hand",
    "downscaled",
    "fit_frame_affine",
    "frame_to_units",
    "is_faint",
    "overlay_figure",
    "render_overlay_jpeg",
    "render_overlay_png",
    "run_cli",
    "sniff_format",
]
