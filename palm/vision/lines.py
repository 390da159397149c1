"""All six lines of one palm frame: crease maps, tracing in order, measuring, mapping back.

Principal lines are traced first and claim their pixels, so a minor line can cross them but
never borrow them (the fate line, which runs beside the life line, a wider band of them).
A line that fails the thresholds is reported as not found with no points.
"""

from __future__ import annotations

import numpy as np

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.audit import AuditTrace, CandidatePath
from palm.vision.frame import PalmFrame, frame_to_units
from palm.vision.linemodel import LINE_MODELS, LineModel, nearest_zone
from palm.vision.metrics import measure
from palm.vision.result import LineResult
from palm.vision.ridges import CreaseMaps, crease_maps
from palm.vision.thresholds import (
    MAX_SHARED_FRACTION,
    MIN_CORRIDOR_ADHERENCE,
    MIN_LINE_STRENGTH,
    OVERLAP_DISTANCE,
)
from palm.vision.tracing import (
    SearchGrid,
    TracedPath,
    claim,
    corridor_excess,
    path_frame_size,
    search_grid,
    trace_line,
)


def _simplify(points: Array) -> list[list[int]]:
    """Original-image polyline as int pairs, without consecutive duplicates."""
    rounded = np.round(points).astype(int)
    keep = np.ones(len(rounded), bool)
    keep[1:] = np.any(np.diff(rounded, axis=0) != 0, axis=1)
    return [[int(x), int(y)] for x, y in rounded[keep]]


def corridor_adherence(name: str, path: TracedPath) -> float:
    """Share of the path within half a corridor width outside its corridor. A path that chains
    two unrelated creases to reach its end zone spends much of its length outside."""
    excess = corridor_excess(name, int(path_frame_size(path)))
    ix = np.clip(np.round(path.points[:, 0]).astype(int), 0, excess.shape[1] - 1)
    iy = np.clip(np.round(path.points[:, 1]).astype(int), 0, excess.shape[0] - 1)
    return float((excess[iy, ix] <= 0.5).mean())


def overlap_fraction(path: TracedPath, other: TracedPath) -> float:
    """Share of ``path``'s points within OVERLAP_DISTANCE frame pixels of ``other``."""
    gaps = np.linalg.norm(path.points[:, None, :] - other.points[None, :, :], axis=2)
    return float((gaps.min(axis=1) <= OVERLAP_DISTANCE).mean())


def _run_along(path: TracedPath, other: TracedPath) -> bool:
    """Whether one of the two paths mostly runs along the other (see borrowed_lines)."""
    shared = max(overlap_fraction(path, other), overlap_fraction(other, path))
    return shared > MAX_SHARED_FRACTION


def borrowed_lines(paths: dict[str, TracedPath | None]) -> set[str]:
    """Lines whose path mostly runs along another line's path (head and life share the thumb
    web, so with one of them missing the other's crease would be traced twice). Of two such
    paths the one lying more on the other is the borrower."""
    borrowers: set[str] = set()
    traced = [(name, path) for name, path in paths.items() if path is not None]
    for i, (name_a, path_a) in enumerate(traced):
        for name_b, path_b in traced[i + 1 :]:
            if _run_along(path_a, path_b):
                a_on_b, b_on_a = overlap_fraction(path_a, path_b), overlap_fraction(path_b, path_a)
                borrowers.add(name_a if a_on_b >= b_on_a else name_b)
    return borrowers


def minor_duplicates(paths: dict[str, TracedPath | None], found: set[str]) -> set[str]:
    """Found minor lines reported on another found minor line's crease: of two such lines, the
    one lying more on the other (fate and sun rising up one crease; two minor lines share no
    crease, so a lesser share than for borrowing, MAX_MINOR_SHARED_FRACTION, is enough)."""
    minor = [
        (name, path)
        for name, path in paths.items()
        if path is not None and name in found and not LINE_MODELS[name].principal
    ]
    duplicates: set[str] = set()
    for i, (name_a, path_a) in enumerate(minor):
        for name_b, path_b in minor[i + 1 :]:
            a_on_b, b_on_a = overlap_fraction(path_a, path_b), overlap_fraction(path_b, path_a)
            if max(a_on_b, b_on_a) > th.MAX_MINOR_SHARED_FRACTION:
                duplicates.add(name_a if a_on_b >= b_on_a else name_b)
    return duplicates


def _line_result(
    name: str,
    path: TracedPath | None,
    maps: CreaseMaps,
    frame: PalmFrame,
    borrowed: bool = False,
    trace: AuditTrace | None = None,
) -> LineResult:
    if path is None:
        if trace is not None:
            trace.notes.append(f"{name}: no path (its zones hold no skin)")
        return LineResult(name=name, found=False)
    model = LINE_MODELS[name]
    wanders = corridor_adherence(name, path) < MIN_CORRIDOR_ADHERENCE
    measures = measure(path, maps, model.principal, borrowed=borrowed or wanders, line=name)
    if trace is not None:
        reasons = [r for r in measures.reasons if r != "borrowed"]
        reasons = (["borrowed"] if borrowed else []) + (["wanders"] if wanders else []) + reasons
        trace.candidates.append(
            CandidatePath(
                line=name,
                points=path.points.copy(),
                kept=measures.found,
                reasons=tuple(reasons),
                contrast=measures.contrast,
                strength=round(float(path.strength.mean()), 3),
                coverage=measures.coverage,
                length=measures.length_rel,
            )
        )
    units = frame_to_units(path.points, frame.size)
    return LineResult(
        name=name,
        found=measures.found,
        points=_simplify(frame.map_to_image(path.points)) if measures.found else [],
        length_rel=measures.length_rel,
        depth=measures.depth,
        curvature=measures.curvature,
        breaks=measures.breaks,
        branches=measures.branches,
        start_zone=nearest_zone((float(units[0, 0]), float(units[0, 1]))),
        end_zone=nearest_zone((float(units[-1, 0]), float(units[-1, 1]))),
        confidence=measures.confidence,
    )


def _principal_path(
    model: LineModel, maps: CreaseMaps, grid: SearchGrid, traced: dict[str, TracedPath | None]
) -> TracedPath | None:
    """A SMOOTH_LINES line's smooth course where it passes as a line of its own; the cheapest
    path otherwise. A palm whose line runs far from the template course makes the smooth course
    cross skin, or ride a line traced before it (the life course along the head crease, which
    shares its start), or leave the corridor, while the cheapest path may still follow the
    crease. The checks are those a line must pass to be found (see _line_result)."""
    if model.name in th.SMOOTH_LINES:
        smooth = trace_line(model, maps, grid, smooth=True)
        if (
            smooth is not None
            and measure(smooth, maps, True, line=model.name).found
            and corridor_adherence(model.name, smooth) >= MIN_CORRIDOR_ADHERENCE
            and not any(_run_along(smooth, other) for other in traced.values() if other is not None)
        ):
            return smooth
    return trace_line(model, maps, grid)


def trace_lines(maps: CreaseMaps) -> dict[str, TracedPath | None]:
    """Trace the principal lines, let the strong ones claim their pixels, then the minor ones."""
    grid = search_grid(maps)
    paths: dict[str, TracedPath | None] = {}
    for name, model in LINE_MODELS.items():
        if model.principal:
            paths[name] = _principal_path(model, maps, grid, paths)
    # the fate line runs beside the life line: it is kept off a wider band (FATE_CLAIM_THICKNESS)
    fate_grid = SearchGrid(grid.strength, grid.hand, grid.cost.copy())
    for path in paths.values():
        if path is not None and path.strength.mean() >= MIN_LINE_STRENGTH:
            claim(grid, path)
            claim(fate_grid, path, th.FATE_CLAIM_THICKNESS)
    for name, model in LINE_MODELS.items():
        if not model.principal:
            paths[name] = trace_line(model, maps, fate_grid if name == "fate" else grid)
    return paths


def measure_lines(
    paths: dict[str, TracedPath | None],
    maps: CreaseMaps,
    frame: PalmFrame,
    trace: AuditTrace | None = None,
) -> dict[str, LineResult]:
    """Metrics, verdicts and original-image polylines for traced paths (each candidate and
    its verdict also go to ``trace`` when one is given)."""
    borrowers = borrowed_lines(paths)
    results = {
        name: _line_result(name, path, maps, frame, borrowed=name in borrowers)
        for name, path in paths.items()
    }
    for name in minor_duplicates(paths, {name for name, line in results.items() if line.found}):
        borrowers.add(name)
        results[name] = _line_result(name, paths[name], maps, frame, borrowed=True)
    if trace is not None:  # once more, with every candidate's final verdict
        results = {
            name: _line_result(name, path, maps, frame, borrowed=name in borrowers, trace=trace)
            for name, path in paths.items()
        }
    return results


def find_lines(frame: PalmFrame) -> dict[str, LineResult]:
    """Trace, measure and classify heart, head, life, fate, sun, mercury in a palm frame."""
    maps = crease_maps(frame)
    return measure_lines(trace_lines(maps), maps, frame)
