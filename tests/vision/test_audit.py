"""The audit hook: a trace records what the engine saw and decided, and changes nothing."""

from __future__ import annotations

import numpy as np

from palm.vision import AuditTrace, VisionError, analyze_bytes_with_image
from palm.vision.errors import VisionErrorCode


def test_trace_holds_the_frame_the_map_and_one_verdict_per_line(samples) -> None:
    trace = AuditTrace()
    analysis, _ = analyze_bytes_with_image(samples.bytes("palm_m_hanging"), trace=trace)
    assert trace.frame_rgb is not None and trace.strength is not None
    assert trace.frame_rgb.shape[:2] == trace.strength.shape
    verdicts = {candidate.line: candidate for candidate in trace.candidates}
    assert set(verdicts) == set(analysis.lines)
    for name, line in analysis.lines.items():
        assert verdicts[name].kept is line.found
        assert bool(verdicts[name].reasons) is not line.found


def test_a_traced_analysis_equals_an_untraced_one(samples) -> None:
    traced, _ = analyze_bytes_with_image(samples.bytes("palm_f_hanging"), trace=AuditTrace())
    plain = samples.analysis("palm_f_hanging")
    assert traced.lines == plain.lines and traced.landmarks == plain.landmarks


def test_a_refused_photo_leaves_no_frame(samples) -> None:
    trace = AuditTrace()
    blank = samples.encode(np.full((400, 400, 3), 128, np.uint8))
    try:
        analyze_bytes_with_image(blank, trace=trace)
    except VisionError as error:
        assert error.code is VisionErrorCode.NO_HAND
    else:
        raise AssertionError("a blank picture was read as a palm")
    assert trace.frame_rgb is None and trace.candidates == []
