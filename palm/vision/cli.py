"""``python -m palm analyze FILE... [--json] [--overlay-dir DIR] [--hand left|right]``.

Rejected photos are results (``ok: false`` with a code), not failures: the exit status is 0
when every file could be read, 2 for usage errors or unreadable paths.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from palm.vision.errors import VisionError
from palm.vision.overlay import render_overlay_png
from palm.vision.pipeline import analyze_bytes_with_image
from palm.vision.result import ALGORITHM_VERSION, PalmAnalysis


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m palm analyze", description=__doc__)
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
    parser.add_argument("--json", action="store_true", help="one JSON object per line per file")
    parser.add_argument("--overlay-dir", type=Path, help="write <stem>.png overlays here")
    parser.add_argument("--hand", choices=["left", "right"], help="the hand in the photos")
    return parser


def _line_summary(analysis: PalmAnalysis) -> dict[str, Any]:
    return {
        name: {
            "found": line.found,
            "length_rel": line.length_rel,
            "depth": line.depth,
            "curvature": line.curvature,
            "breaks": line.breaks,
            "branches": line.branches,
            "confidence": line.confidence,
            "points": line.points,
        }
        for name, line in analysis.lines.items()
    }


def _record(path: Path, analysis: PalmAnalysis | None, error: VisionError | None) -> dict[str, Any]:
    if analysis is None:
        assert error is not None
        return {
            "file": str(path),
            "ok": False,
            "error_code": error.code.value,
            "message": error.message,
            "tip": error.tip,
            "hand": None,
            "palm_side": None,
            "lines": {},
            "hand_shape": None,
            "timings_ms": {},
            "version": ALGORITHM_VERSION,
        }
    return {
        "file": str(path),
        "ok": True,
        "error_code": None,
        "message": None,
        "hand": analysis.hand,
        "palm_side": analysis.palm_side,
        "lines": _line_summary(analysis),
        "hand_shape": analysis.hand_shape.element,
        "timings_ms": analysis.timings_ms,
        "warnings": analysis.warnings,
        "version": analysis.version,
    }


def _human(record: dict[str, Any]) -> str:
    if not record["ok"]:
        return f"{record['file']}: {record['error_code']} — {record['message']} {record['tip']}"
    found = [name for name, line in record["lines"].items() if line["found"]]
    return (
        f"{record['file']}: {record['hand']} palm, {record['hand_shape']} hand; lines found: "
        f"{', '.join(found) or 'none'} ({record['timings_ms'].get('total', 0):.0f} ms)"
    )


def _analyze_file(path: Path, hand: Any, overlay_dir: Path | None) -> dict[str, Any]:
    try:
        analysis, loaded = analyze_bytes_with_image(path.read_bytes(), hand_hint=hand)
    except VisionError as error:
        return _record(path, None, error)
    if overlay_dir is not None:
        (overlay_dir / f"{path.stem}.png").write_bytes(render_overlay_png(loaded.rgb, analysis))
    return _record(path, analysis, None)


def main(argv: list[str]) -> int:
    """Run the analysis on each file; print one line (or JSON object) per file."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code != 0 else 0
    unreadable = [str(path) for path in args.files if not path.is_file()]
    if unreadable:
        print(f"cannot read: {', '.join(unreadable)}", file=sys.stderr)
        return 2
    if args.overlay_dir is not None:
        args.overlay_dir.mkdir(parents=True, exist_ok=True)
    for path in args.files:
        record = _analyze_file(path, args.hand, args.overlay_dir)
        print(json.dumps(record) if args.json else _human(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
