"""Interpreters of a PalmAnalysis: the offline rule-based reader and the LLM reader.

Workers call :func:`palm.reading.service.interpret`; pages show :data:`DISCLAIMER`.
"""

from __future__ import annotations

from palm.reading.types import DISCLAIMER, AnalysisType, Interpretation, ReaderOutcome, UsageEvent

__all__ = ["DISCLAIMER", "AnalysisType", "Interpretation", "ReaderOutcome", "UsageEvent"]
