"""A debug hook for audits: what the engine saw and decided on one photo, kept only on request.

Pass an :class:`AuditTrace` to :func:`palm.vision.pipeline.analyze_bytes_with_image` and it is
filled as the photo goes through the stages: the upright palm frame, its crease-strength map,
and every candidate path with the verdict on it (kept, or rejected with the checks it failed).
Nothing here changes the analysis; without a trace nothing is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from palm.vision.arrays import Array


@dataclass(frozen=True)
class CandidatePath:
    """One traced path for ``line`` in frame pixels and why it was kept or rejected."""

    line: str
    points: Array
    kept: bool
    reasons: tuple[str, ...]
    contrast: float
    strength: float
    coverage: float = 0.0
    length: float = 0.0


@dataclass
class AuditTrace:
    """Filled by the pipeline when handed in; ``frame_rgb``/``strength`` stay None when the
    photo was refused before the palm frame was built."""

    frame_rgb: Array | None = None
    strength: Array | None = None
    candidates: list[CandidatePath] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
