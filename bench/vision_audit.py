"""Audit of the vision engine over a folder of photos: pictures to judge by eye, and figures.

Run: ``python bench/vision_audit.py FOLDER [--out DIR] [--grades CSV] [--only LIST]``.

For every photo (``*.jpg``, ``*.jpeg``, ``*.png`` under FOLDER) it runs ``analyze_bytes_with_image``
with an ``AuditTrace`` and writes, under ``DIR/vision-audit/`` (default ``/tmp``, never the
repository):

- ``photos/<stem>_overlay.jpg``: the found lines on the photo, as the app draws them;
- ``photos/<stem>_frame.png``: the upright palm frame, the same frame with every candidate path
  (kept: thick, in the line's colour; rejected: thin and dotted, with the checks it failed) and
  the crease-strength map with the same paths;
- ``sheet-NN.png``: contact sheets of 12 photos each (the frame, then the frame with paths);
- ``records.json``: one record per photo (code, found, confidence, rejection reasons, latency).

It prints found rates per line, refusal codes and latency p50/p95 (wall time of the call, one
process). With ``--grades`` it also prints the per-line correct rate of the graded photos from
a grades CSV (``file,engine_version,line,grade,code``; see ``tests/data/vision_grades.csv``).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
import numpy as np  # noqa: E402

from palm.vision import (  # noqa: E402
    ALGORITHM_VERSION,
    LINE_COLOURS,
    AuditTrace,
    CandidatePath,
    PalmAnalysis,
    VisionError,
    analyze_bytes_with_image,
    downscaled,
    render_overlay_png,
)
from palm.vocabulary import LINE_NAMES  # noqa: E402

SUFFIXES = {".jpg", ".jpeg", ".png"}
PANEL = 288  # contact-sheet panel side (the 256 px frame, a little enlarged)
PER_SHEET, COLUMNS = 12, 3
GRADES = ("correct", "partial", "wrong", "missed", "absent")
Image = Any  # an RGB uint8 array


def photos_in(folder: Path, only: set[str] | None) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
    return [p for p in found if only is None or p.name in only]


def _draw_path(canvas: Image, candidate: CandidatePath, factor: float) -> None:
    colour = LINE_COLOURS.get(candidate.line, (0, 0, 0))
    points = np.round(candidate.points * factor).astype(np.int32)
    if candidate.kept:
        cv2.polylines(canvas, [points], False, (255, 255, 255), 4, cv2.LINE_AA)
        cv2.polylines(canvas, [points], False, colour, 2, cv2.LINE_AA)
        return
    for x, y in points[::4]:
        cv2.circle(canvas, (int(x), int(y)), 1, colour, -1, cv2.LINE_AA)
    x, y = points[len(points) // 2]
    label = f"{candidate.line[:2]}:{','.join(r[:4] for r in candidate.reasons)}"
    cv2.putText(canvas, label, (int(x) + 3, int(y) - 3), cv2.FONT_HERSHEY_PLAIN, 0.8, colour, 1)


def with_paths(background: Image, trace: AuditTrace, side: int) -> Image:
    """``background`` (a frame-sized picture) enlarged to ``side`` with every candidate."""
    canvas = cv2.resize(background, (side, side), interpolation=cv2.INTER_LINEAR)
    factor = side / background.shape[0]
    for candidate in sorted(trace.candidates, key=lambda c: c.kept):
        _draw_path(canvas, candidate, factor)
    return canvas


def strength_picture(trace: AuditTrace) -> Image:
    assert trace.strength is not None
    grey = (255 - np.clip(trace.strength * 255, 0, 255)).astype(np.uint8)
    return cv2.cvtColor(grey, cv2.COLOR_GRAY2RGB)


def _caption(width: int, text: str, height: int = 22) -> Image:
    strip = np.full((height, width, 3), 255, np.uint8)
    cv2.putText(strip, text, (4, height - 7), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1)
    return strip


def _placeholder(photo: Image, text: str, side: int) -> Image:
    small = downscaled(photo, side)
    panel = np.full((side, side, 3), 235, np.uint8)
    panel[: small.shape[0], : small.shape[1]] = small
    cv2.putText(panel, text, (6, side - 10), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (200, 0, 0), 2)
    return panel


def tile(index: int, path: Path, record: dict[str, Any], photo: Image, trace: AuditTrace) -> Image:
    """One contact-sheet tile: a caption, then the frame and the frame with its paths."""
    if trace.frame_rgb is None or trace.strength is None:
        left = _placeholder(photo, record["code"] or "refused", PANEL)
        right = np.full_like(left, 255)
    else:
        left = cv2.resize(trace.frame_rgb, (PANEL, PANEL), interpolation=cv2.INTER_LINEAR)
        right = with_paths(trace.frame_rgb, trace, PANEL)
        if record["code"]:
            cv2.putText(right, record["code"], (6, 20), 0, 0.6, (200, 0, 0), 2)
    found = "".join(
        name[0].upper() if record["lines"].get(name, {}).get("found") else "."
        for name in LINE_NAMES
    )
    status = record["code"] or f"{record['hand']} {found}"
    caption = _caption(2 * PANEL + 4, f"#{index} {path.name[:34]}  {status}")
    body = np.hstack([left, np.full((PANEL, 4, 3), 255, np.uint8), right])
    return np.vstack([caption, body])


def sheet(tiles: list[Image]) -> Image:
    blank = np.full_like(tiles[0], 255)
    rows = []
    for start in range(0, len(tiles), COLUMNS):
        row = tiles[start : start + COLUMNS] + [blank] * (COLUMNS - len(tiles[start:][:COLUMNS]))
        rows.append(
            np.hstack([np.pad(t, ((4, 4), (4, 4), (0, 0)), constant_values=200) for t in row])
        )
    return np.vstack(rows)


def write_rgb(path: Path, rgb: Image) -> None:
    """JPEG or PNG by the suffix (sheets are PNG: every viewer opens it)."""
    params = (
        [cv2.IMWRITE_JPEG_QUALITY, 88]
        if path.suffix == ".jpg"
        else [cv2.IMWRITE_PNG_COMPRESSION, 3]
    )
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), params)


def record_of(
    path: Path,
    analysis: PalmAnalysis | None,
    error: VisionError | None,
    wall_ms: float,
    trace: AuditTrace,
) -> dict[str, Any]:
    reasons = {c.line: list(c.reasons) for c in trace.candidates}
    lines = {}
    if analysis is not None:
        lines = {
            name: {"found": line.found, "confidence": line.confidence, "why": reasons.get(name)}
            for name, line in analysis.lines.items()
        }
    return {
        "file": path.name,
        "code": None if error is None else error.code.value,
        "hand": None if analysis is None else analysis.hand,
        "warnings": [] if analysis is None else analysis.warnings,
        "quality": {} if analysis is None else analysis.quality,
        "lines": lines,
        "wall_ms": round(wall_ms, 1),
    }


def audit_one(path: Path, out: Path) -> tuple[dict[str, Any], Image, AuditTrace]:
    data = path.read_bytes()
    trace = AuditTrace()
    analysis: PalmAnalysis | None = None
    error: VisionError | None = None
    start = time.perf_counter()
    try:
        analysis, loaded = analyze_bytes_with_image(data, trace=trace)
        photo = loaded.rgb
    except VisionError as exc:
        error = exc
        photo = _decode_anyway(data)
    wall_ms = (time.perf_counter() - start) * 1000.0
    record = record_of(path, analysis, error, wall_ms, trace)
    stem = out / "photos" / path.stem
    if analysis is not None:
        png = np.frombuffer(render_overlay_png(photo, analysis), np.uint8)
        cv2.imwrite(f"{stem}_overlay.jpg", cv2.imdecode(png, cv2.IMREAD_COLOR))
    if trace.frame_rgb is not None and trace.strength is not None:
        panels = [
            trace.frame_rgb,
            with_paths(trace.frame_rgb, trace, 512),
            with_paths(strength_picture(trace), trace, 512),
        ]
        panels[0] = cv2.resize(panels[0], (512, 512))
        cv2.imwrite(f"{stem}_frame.png", cv2.cvtColor(np.hstack(panels), cv2.COLOR_RGB2BGR))
    return record, photo, trace


def _decode_anyway(data: bytes) -> Image:
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        return np.full((64, 64, 3), 128, np.uint8)
    return cv2.cvtColor(downscaled(decoded, 600), cv2.COLOR_BGR2RGB)


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def print_figures(records: list[dict[str, Any]]) -> None:
    accepted = [r for r in records if r["code"] is None]
    codes = Counter(r["code"] for r in records if r["code"] is not None)
    print(f"engine {ALGORITHM_VERSION}: {len(records)} photos, {len(accepted)} accepted")
    print("refusals: " + (", ".join(f"{c} {n}" for c, n in codes.most_common()) or "none"))
    for name in LINE_NAMES:
        found = sum(1 for r in accepted if r["lines"][name]["found"])
        why = Counter(
            w
            for r in accepted
            if not r["lines"][name]["found"]
            for w in r["lines"][name]["why"] or ["no_path"]
        )
        share = found / len(accepted) if accepted else 0.0
        print(
            f"  {name:<8} found {found:>3}/{len(accepted)} ({share:4.0%})  rejected for: "
            + ", ".join(f"{w} {n}" for w, n in why.most_common())
        )
    walls = [r["wall_ms"] for r in records]
    print(
        f"latency (wall, ms): p50 {percentile(walls, 50):.0f}  p95 {percentile(walls, 95):.0f}"
        f"  max {max(walls):.0f}"
    )


def print_grades(path: Path) -> None:
    """Per-line correct rate of a grades CSV, per engine version."""
    rows = list(csv.DictReader(line for line in path.open() if not line.startswith("#")))
    by_version: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_version[row["engine_version"]].append(row)
    for version, graded in sorted(by_version.items()):
        refusals = [r for r in graded if r["line"] == "refusal"]
        lines = [r for r in graded if r["line"] != "refusal"]
        photos = {r["file"] for r in lines}
        unfair = sum(r["grade"] == "unfair" for r in refusals)
        total = len(photos) + len(refusals)
        print(
            f"grades {version}: {len(photos)} accepted photos graded, {len(refusals)} refusals "
            f"({unfair} unfair: false refusals {unfair / max(total, 1):.0%} of {total} photos)"
        )
        for name in LINE_NAMES:
            counts = Counter(r["grade"] for r in lines if r["line"] == name)
            visible = sum(counts.values()) - counts["absent"]
            rate = counts["correct"] / visible if visible else float("nan")
            detail = " ".join(f"{g} {counts[g]}" for g in GRADES)
            print(f"  {name:<8} correct {rate:4.0%} of {visible} where visible   ({detail})")
        per_photo: dict[str, set[str]] = defaultdict(set)
        for row in lines:
            if row["line"] in ("heart", "head", "life") and row["grade"] == "correct":
                per_photo[row["file"]].add(row["line"])
        allthree = sum(len(v) == 3 for v in per_photo.values())
        print(f"  heart+head+life all correct: {allthree}/{len(photos)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--grades", type=Path, help="grades CSV to summarise")
    parser.add_argument("--only", type=Path, help="a file listing the photo names to audit")
    parser.add_argument("--no-pictures", action="store_true", help="figures only")
    args = parser.parse_args()
    if (ROOT in args.out.resolve().parents or args.out.resolve() == ROOT) and not args.no_pictures:
        parser.error("write the audit outside the repository")
    cv2.setNumThreads(1)
    out = args.out / "vision-audit"
    (out / "photos").mkdir(parents=True, exist_ok=True)
    only = set(args.only.read_text().split()) if args.only else None
    records, tiles = [], []
    for path in photos_in(args.folder, only):
        record, photo, trace = audit_one(path, out)
        records.append(record)
        if not args.no_pictures:
            tiles.append(tile(len(records), path, record, photo, trace))
    if not records:
        print("no photos")
        return 1
    for page, start in enumerate(range(0, len(tiles), PER_SHEET), 1):
        write_rgb(out / f"sheet-{page:02d}.png", sheet(tiles[start : start + PER_SHEET]))
    (out / "records.json").write_text(json.dumps(records, indent=1))
    print_figures(records)
    print(f"pictures and records in {out}")
    if args.grades:
        print_grades(args.grades)
    return 0


if __name__ == "__main__":
    sys.exit(main())
