"""The offline reader: deterministic texts from the palmistry table, no network, no cost.

Each sentence is one of several phrasings for a band, picked by a stable hash of
(seed, analysis type, line, feature, band). The seed is the image's sha256, so the same photo
always reads the same, while another hand (another seed, other bands) reads differently.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from palm.readers.table import LinePhrases, PalmistryTable, TypePhrases, line_bands, load_table
from palm.readers.types import OFFLINE_ENGINE, Interpretation
from palm.vision import LineResult, PalmAnalysis
from palm.vocabulary import TYPE_LINES, AnalysisType

#: Order in which a line's sentences are told.
LINE_FEATURES = ("length", "curvature", "depth", "breaks", "branches")


def pick(options: Sequence[str], seed: str, *keys: str) -> str:
    """One of ``options``, the same one every time for the same seed and keys."""
    digest = hashlib.sha256("|".join((seed, *keys)).encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


def line_confidence(analysis: PalmAnalysis, analysis_type: AnalysisType) -> float:
    """Mean confidence of the type's lines, a line not found counting as zero."""
    names = TYPE_LINES[analysis_type]
    scores = [_found_line(analysis, name) for name in names]
    total = sum(line.confidence for line in scores if line is not None)
    return round(min(1.0, max(0.0, total / len(names))), 3)


def _found_line(analysis: PalmAnalysis, name: str) -> LineResult | None:
    line = analysis.lines.get(name)
    return line if line is not None and line.found else None


def missing_line_text(table: PalmistryTable, label: str, seed: str, kind: str) -> str:
    """The honest sentence for a line the photo did not show."""
    return pick(table.missing, seed, kind, label, "missing").format(label=label)


def _read_line(
    phrases: TypePhrases, line_phrases: LinePhrases, line: LineResult, seed: str, kind: str
) -> str:
    sentences = []
    for feature, band in line_bands(line).items():
        if feature in ("length", "curvature"):
            options = getattr(line_phrases, feature)[band]
        else:
            options = phrases.features[feature][band]
        text = pick(options, seed, kind, line.name, feature, band)
        sentences.append(text.format(label=line_phrases.label))
    for zone_key in (f"start:{line.start_zone}", f"end:{line.end_zone}"):
        if zone_key in line_phrases.zones:
            sentences.append(pick(line_phrases.zones[zone_key], seed, kind, line.name, zone_key))
    return " ".join(sentences)


def read_type(
    analysis: PalmAnalysis,
    analysis_type: AnalysisType,
    *,
    seed: str,
    table: PalmistryTable | None = None,
) -> Interpretation:
    """One analysis type's offline interpretation."""
    table = table or load_table()
    phrases = table.types[analysis_type]
    kind = analysis_type.value
    per_line: dict[str, str] = {}
    for name in TYPE_LINES[analysis_type]:
        line_phrases = phrases.lines[name]
        line = _found_line(analysis, name)
        per_line[name] = (
            _read_line(phrases, line_phrases, line, seed, kind)
            if line is not None
            else missing_line_text(table, line_phrases.label, seed, kind)
        )
    return Interpretation(
        analysis_type=analysis_type,
        title=phrases.title,
        text=_overall(analysis, analysis_type, phrases, table, seed),
        per_line=per_line,
        confidence=line_confidence(analysis, analysis_type),
        engine=OFFLINE_ENGINE,
        table_version=table.version,
    )


def _overall(
    analysis: PalmAnalysis,
    analysis_type: AnalysisType,
    phrases: TypePhrases,
    table: PalmistryTable,
    seed: str,
) -> str:
    kind = analysis_type.value
    element = analysis.hand_shape.element
    parts = [pick(phrases.elements[element], seed, kind, "element", element)]
    if not any(_found_line(analysis, name) for name in TYPE_LINES[analysis_type]):
        parts.insert(0, pick(table.nothing_found, seed, kind, "nothing_found"))
    parts.append(pick(phrases.closing, seed, kind, "closing"))
    return " ".join(parts)


def read_offline(
    analysis: PalmAnalysis, types: Sequence[AnalysisType], *, seed: str
) -> list[Interpretation]:
    """Offline interpretations for each requested type, in the order asked."""
    table = load_table()
    return [read_type(analysis, kind, seed=seed, table=table) for kind in types]
