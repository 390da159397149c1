"""Readers: what turns a PalmAnalysis into words — the offline rule-based reader (versioned
palmistry table) and the LLM reader (prompts, reply cache), with one facade, ``interpret``.
Pages show ``DISCLAIMER``."""

from palm.readers.cache import (
    ResponseCache,
    forget_cached_replies,
    reply_counters,
    rotate_cached_replies,
)
from palm.readers.llm import LLMReader
from palm.readers.offline import line_confidence, pick, read_offline, read_type
from palm.readers.phrasebook import one_line_summary
from palm.readers.preview import SAMPLE_PALM, preview_reading
from palm.readers.service import build_reader, interpret
from palm.readers.style import ReaderStyle
from palm.readers.table import line_bands, load_table
from palm.readers.types import DISCLAIMER, OFFLINE_ENGINE, Interpretation, ReaderOutcome

__all__ = [
    "DISCLAIMER",
    "OFFLINE_ENGINE",
    "SAMPLE_PALM",
    "Interpretation",
    "LLMReader",
    "ReaderOutcome",
    "ReaderStyle",
    "ResponseCache",
    "build_reader",
    "forget_cached_replies",
    "interpret",
    "line_bands",
    "line_confidence",
    "load_table",
    "one_line_summary",
    "pick",
    "preview_reading",
    "read_offline",
    "read_type",
    "reply_counters",
    "rotate_cached_replies",
]
