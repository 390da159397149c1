"""The public entry point: progress stages, timings, no Streamlit, only VisionError escapes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from palm.vision import pipeline
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.pipeline import analyze_bytes


def test_progress_reports_the_stages_in_order(samples) -> None:
    stages: list[str] = []
    analysis = analyze_bytes(
        samples.bytes("palm_m_hanging"), progress=lambda stage, _fraction: stages.append(stage)
    )
    assert stages == ["validating", "landmarks", "lines", "metrics"]
    assert analysis.timings_ms["total"] >= analysis.timings_ms["lines"] > 0


def test_unexpected_failures_become_internal_errors(samples, monkeypatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "trace_lines", broken)
    with pytest.raises(VisionError) as info:
        analyze_bytes(samples.bytes("palm_m_hanging"))
    assert info.value.code is VisionErrorCode.INTERNAL_ERROR


def test_vision_never_imports_streamlit() -> None:
    code = (
        "import sys, palm.vision.pipeline, palm.vision.overlay, palm.vision.cli; "
        "print('streamlit' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"
