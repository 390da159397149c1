"""Benchmark of the vision pipeline: p50/p95 per stage on the samples and a 12 MP JPEG.

Run: ``python bench/analyze.py [--repeat N] [--dir FOLDER]``. Single process, one thread per
library where they allow it (set OMP_NUM_THREADS=1 etc. for a strict one-core figure). Prints
figures; asserts nothing. The 12 MP JPEGs (4000×3000 and a 3:2 4000×2667) are generated at run
time (upscaled from the dark-skin sample) in a temporary directory. With ``--dir`` it also runs
once over every photo of a folder (e.g. ``../shared/palm-samples/dev``) and prints p50/p95 per
stage across those photos, refused ones apart.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cv2  # noqa: E402
from PIL import Image  # noqa: E402

from palm.vision.errors import VisionError  # noqa: E402
from palm.vision.pipeline import analyze_bytes  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "palms"
STAGES = ("load", "landmarks", "lines", "metrics", "total")


def make_big_jpeg(directory: Path, size: tuple[int, int] = (4000, 3000)) -> Path:
    """A big JPEG (quality 92) upscaled from the dark-skin sample."""
    source = Image.open(SAMPLES / "palm_left_dark_sideways.jpg").convert("RGB")
    big = source.resize(size, Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG", quality=92)
    path = directory / f"palm_{size[0]}x{size[1]}.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def bench_folder(folder: Path) -> None:
    """Each photo of ``folder`` once: p50/p95 per stage across photos."""
    timings: dict[str, list[float]] = {stage: [] for stage in STAGES}
    walls: list[float] = []
    refused = 0
    photos = sorted(p for p in folder.rglob("*") if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    for path in photos:
        data = path.read_bytes()
        start = time.perf_counter()
        try:
            result = analyze_bytes(data)
        except VisionError:
            refused += 1
            continue
        walls.append((time.perf_counter() - start) * 1000.0)
        for stage in STAGES:
            timings[stage].append(result.timings_ms.get(stage, 0.0))
    print(f"{folder}: {len(photos)} photos, {refused} refused (not timed)")
    report("accepted photos", timings)
    print(f"{'wall':<28} p50 {statistics.median(walls):6.1f}  p95 {percentile(walls, 95):6.1f}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def bench_file(path: Path, repeat: int) -> dict[str, list[float]]:
    data = path.read_bytes()
    timings: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for _ in range(repeat):
        try:
            result = analyze_bytes(data)
        except VisionError:
            continue  # rejected samples (backs of hands) are not timed
        for stage in STAGES:
            timings[stage].append(result.timings_ms.get(stage, 0.0))
    return timings


def report(name: str, timings: dict[str, list[float]]) -> None:
    if not timings["total"]:
        print(f"{name:<28} rejected (not timed)")
        return
    cells = "  ".join(
        f"{stage} {statistics.median(timings[stage]):6.1f}/{percentile(timings[stage], 95):6.1f}"
        for stage in STAGES
    )
    print(f"{name:<28} {cells}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--dir", type=Path, help="also time every photo of this folder once")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    analyze_bytes((SAMPLES / "palm_m_hanging.jpg").read_bytes())  # warm-up: model, caches
    print(f"p50/p95 ms per stage, {args.repeat} runs each, single process")
    with tempfile.TemporaryDirectory() as tmp:
        big = [make_big_jpeg(Path(tmp), size) for size in ((4000, 3000), (4000, 2667))]
        for path in [*sorted(SAMPLES.glob("palm_*.jpg")), *big]:
            report(path.name, bench_file(path, args.repeat))
    if args.dir is not None:
        bench_folder(args.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
