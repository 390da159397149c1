"""Where each palm line lives, in palm units of the canonical frame (thumb left, fingers up).

Units: index knuckle (0, 0), little-finger knuckle (1, 0), wrist near y = 1.34. Each line has a
template course (a few points, from palmistry charts checked against the sample palms), a start
and an end zone, and the width of the corridor it may wander in before paying a penalty. Tracing
follows the crease map; the template only keeps a path from jumping to a neighbouring crease.
"""

from __future__ import annotations

from dataclasses import dataclass

from palm.vocabulary import LINE_NAMES, PRINCIPAL_LINES

__all__ = ["LINE_MODELS", "LINE_NAMES", "PRINCIPAL_LINES", "ZONES", "LineModel", "nearest_zone"]


@dataclass(frozen=True)
class LineModel:
    """Template course from start to end, zone radii and corridor half-width (palm units)."""

    name: str
    course: tuple[tuple[float, float], ...]
    start_radius: float
    end_radius: float
    corridor: float
    principal: bool


LINE_MODELS: dict[str, LineModel] = {
    "heart": LineModel(
        "heart",
        ((1.15, 0.25), (0.85, 0.20), (0.55, 0.12), (0.30, -0.02)),
        start_radius=0.14,
        end_radius=0.20,
        corridor=0.12,
        principal=True,
    ),
    "head": LineModel(
        "head",
        ((-0.12, 0.22), (0.20, 0.26), (0.50, 0.38), (0.88, 0.56)),
        start_radius=0.14,
        end_radius=0.22,
        corridor=0.12,
        principal=True,
    ),
    "life": LineModel(
        "life",
        ((-0.10, 0.30), (0.20, 0.37), (0.45, 0.60), (0.60, 0.86), (0.68, 1.15)),
        start_radius=0.14,
        end_radius=0.22,
        corridor=0.13,
        principal=True,
    ),
    # vision-2.4: moved towards the little-finger side, start zone and corridor widened. The
    # old course (0.62, 1.28) … (0.38, 0.20) lay on the life line's lower half in the dev
    # palms' frames, so fate paths rode the life crease while the fate lines a palm reader
    # sees, between the life line and the palm's middle, fell outside the corridor.
    "fate": LineModel(
        "fate",
        ((0.74, 1.28), (0.65, 0.95), (0.52, 0.60), (0.42, 0.25)),
        start_radius=0.22,
        end_radius=0.16,
        corridor=0.12,
        principal=False,
    ),
    "sun": LineModel(
        "sun",
        ((0.78, 0.95), (0.74, 0.60), (0.68, 0.22)),
        start_radius=0.14,
        end_radius=0.14,
        corridor=0.08,
        principal=False,
    ),
    "mercury": LineModel(
        "mercury",
        ((0.70, 1.20), (0.85, 0.80), (0.97, 0.35)),
        start_radius=0.14,
        end_radius=0.14,
        corridor=0.08,
        principal=False,
    ),
}

#: Named zones of the palm (centres in palm units) used to describe where a line starts/ends.
ZONES: dict[str, tuple[float, float]] = {
    "under_index": (0.05, 0.08),
    "between_index_middle": (0.16, 0.02),
    "under_middle": (0.32, 0.10),
    "under_ring": (0.66, 0.10),
    "under_little": (0.98, 0.12),
    "palm_edge": (1.15, 0.40),
    "thumb_web": (-0.15, 0.35),
    "thumb_mount": (-0.05, 0.85),
    "palm_centre": (0.45, 0.60),
    "lower_palm_edge": (1.05, 0.95),
    "wrist": (0.45, 1.30),
}


def nearest_zone(point: tuple[float, float]) -> str:
    """Name of the zone whose centre is nearest to a point in palm units."""
    x, y = point
    return min(ZONES, key=lambda name: (ZONES[name][0] - x) ** 2 + (ZONES[name][1] - y) ** 2)
