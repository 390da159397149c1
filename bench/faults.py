"""The fault drills of tests/faults, run for their figures: time to recovery, readings lost.

    .venv/bin/python bench/faults.py [pytest -k expression]

Runs `pytest tests/faults` (real processes: the launcher, workers, redis-server) with
PALM_FAULT_REPORT set, so each drill writes what it measured; then prints one table. Uses
TEST_DATABASE_URL when set (PostgreSQL), else SQLite; the drills start their own Redis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "faults.json"
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/faults"]
        if argv:
            command += ["-k", " ".join(argv)]
        env = {**os.environ, "PALM_FAULT_REPORT": str(report)}
        outcome = subprocess.run(command, cwd=ROOT, env=env, check=False)
        figures = json.loads(report.read_text()) if report.exists() else {}
    for drill, measured in figures.items():
        print(f"\n{drill}")
        for name, value in measured.items():
            print(f"  {name:<28} {value}")
    if not figures:
        print("no drill reported figures", file=sys.stderr)
    return outcome.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
