"""Fit the line-confidence model from graded dev photos and print its coefficients.

Run: ``python bench/vision_calibrate.py FOLDER [--grades tests/data/vision_grades.csv]
[--version vision-1.0]``.

Every graded photo of FOLDER is analysed with an ``AuditTrace``; each line's candidate path
gives the features the confidence model uses (``palm.vision.metrics.confidence_features``),
and its grade a label: on a crease (correct, partial) = 1, through skin where the palm shows no
such line (absent, and a minor line graded wrong) = 0. Paths on some other crease (a principal
line graded wrong) and missed lines are left out: they say nothing about crease versus skin.
A logistic regression (Newton steps, a little L2) is fitted and printed with a reliability
table, ready to paste into ``palm/vision/thresholds.py`` (CONFIDENCE_WEIGHTS / _BIAS). Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from palm.vision import AuditTrace, VisionError, analyze_bytes_with_image  # noqa: E402
from palm.vision.metrics import FEATURE_NAMES, confidence_features  # noqa: E402
from palm.vocabulary import PRINCIPAL_LINES  # noqa: E402

Array = npt.NDArray[np.float64]


def labelled_rows(folder: Path, grades: Path, version: str) -> tuple[Array, Array, list[str]]:
    """(features, labels, line names) of every graded line that says crease vs skin."""
    rows = [
        r
        for r in csv.DictReader(line for line in grades.open() if not line.startswith("#"))
        if r["engine_version"] == version and r["line"] != "refusal"
    ]
    wanted: dict[tuple[str, str], int] = {}
    for row in rows:
        grade, principal = row["grade"], row["line"] in PRINCIPAL_LINES
        if grade in ("correct", "partial"):
            wanted[(row["file"], row["line"])] = 1
        elif grade == "absent" or (grade == "wrong" and not principal):
            wanted[(row["file"], row["line"])] = 0
    features, labels, names = [], [], []
    for name in sorted({file for file, _ in wanted}):
        trace = AuditTrace()
        try:
            analyze_bytes_with_image(next(folder.rglob(name)).read_bytes(), trace=trace)
        except VisionError:
            continue
        for candidate in trace.candidates:
            label = wanted.get((name, candidate.line))
            if label is None:
                continue
            features.append(confidence_features(candidate, candidate.line in PRINCIPAL_LINES))
            labels.append(label)
            names.append(candidate.line)
    return np.array(features), np.array(labels, float), names


def fit_logistic(x: Array, y: Array, l2: float = 1.0, steps: int = 50) -> tuple[Array, float]:
    """Weights and bias of a logistic regression by Newton's method (the bias unpenalised)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    theta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-design @ theta))
        gradient = design.T @ (p - y) + penalty @ theta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty
        theta -= np.linalg.solve(hessian, gradient)
    return theta[:-1], float(theta[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--grades", type=Path, default=ROOT / "tests/data/vision_grades.csv")
    parser.add_argument("--version", default="vision-1.0")
    args = parser.parse_args()
    x, y, names = labelled_rows(args.folder, args.grades, args.version)
    weights, bias = fit_logistic(x, y)
    print(f"{len(y)} graded lines ({int(y.sum())} on a crease) from {args.grades.name}")
    print("CONFIDENCE_WEIGHTS = (" + ", ".join(f"{w:.3f}" for w in weights) + ")")
    print(f"CONFIDENCE_BIAS = {bias:.3f}")
    print("  features: " + ", ".join(FEATURE_NAMES))
    p = 1.0 / (1.0 + np.exp(-(x @ weights + bias)))
    print("reliability (predicted band: lines, share on a crease):")
    for low in np.arange(0.0, 1.0, 0.2):
        band = (p >= low) & (p < low + 0.2 + (low >= 0.8) * 1e-9)
        if band.any():
            print(f"  {low:.1f}-{low + 0.2:.1f}: {int(band.sum()):>4}, {y[band].mean():.0%}")
    errors = (p >= 0.5) != (y == 1)
    rows = zip(names, p, y, errors, strict=True)
    listed = ", ".join(f"{n} p={q:.2f} y={int(t)}" for n, q, t, e in rows if e)
    print(f"disagreements with the grades at 0.5: {int(errors.sum())}: {listed}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
