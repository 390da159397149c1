"""The offline reader: deterministic texts from the palmistry table, no network, no cost.

Each sentence is one of several phrasings for a band, picked by a stable hash of
(seed, analysis type, line, feature, band). The seed is the image's sha256, so the same photo
always reads the same, while another hand (another seed, other bands) reads differently.

A ReaderStyle shapes the words: warm is the table as written, matter-of-fact states the bands
plainly, playful adds an opening and a closing aside; short keeps the first sentence of each
line and the overall's core; Spanish and French speak from the phrasebook; a dominant hand
set in the profile is read as the present, the other hand as potential.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from palm.readers.phrasebook import LanguagePhrases, phrases_for
from palm.readers.style import ReaderStyle
from palm.readers.table import LinePhrases, PalmistryTable, TypePhrases, line_bands, load_table
from palm.readers.types import OFFLINE_ENGINE, Interpretation
from palm.vision import LineResult, PalmAnalysis
from palm.vocabulary import TYPE_LINES, AnalysisType, Language, Tone

DEFAULT_STYLE = ReaderStyle()

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


def _english(style: ReaderStyle) -> bool:
    return style.language == Language.ENGLISH


def line_label(
    table: PalmistryTable, kind: AnalysisType, name: str, style: ReaderStyle = DEFAULT_STYLE
) -> str:
    if _english(style):
        return table.types[kind].lines[name].label
    return phrases_for(style.language).labels[name]


def missing_line_text(
    table: PalmistryTable, label: str, seed: str, kind: str, style: ReaderStyle = DEFAULT_STYLE
) -> str:
    """The honest sentence for a line the photo did not show."""
    options = table.missing if _english(style) else phrases_for(style.language).missing
    return pick(options, seed, kind, label, "missing").format(label=label)


def _fact_line(book: LanguagePhrases, line: LineResult, label: str, style: ReaderStyle) -> str:
    """The bands said plainly: "Heart line: long, gently curved, clear, unbroken, …"."""
    words = [book.bands[feature][band] for feature, band in line_bands(line).items()]
    shown = words[:3] if style.short else words
    return book.fact_line.format(label=label[:1].upper() + label[1:], bands=", ".join(shown))


def _phrasebook_line(
    book: LanguagePhrases, line: LineResult, label: str, seed: str, kind: str
) -> list[str]:
    return [
        pick(book.warm[feature][band], seed, kind, line.name, feature, band).format(label=label)
        for feature, band in line_bands(line).items()
    ]


def _line_text(
    phrases: TypePhrases,
    line: LineResult,
    label: str,
    seed: str,
    kind: str,
    style: ReaderStyle,
) -> str:
    book = phrases_for(style.language)
    if style.tone == Tone.MATTER_OF_FACT:
        return _fact_line(book, line, label, style)
    if _english(style):
        sentences = _read_line(phrases, phrases.lines[line.name], line, seed, kind)
    else:
        sentences = _phrasebook_line(book, line, label, seed, kind)
    return " ".join(sentences[:1] if style.short else sentences)


def _read_line(
    phrases: TypePhrases, line_phrases: LinePhrases, line: LineResult, seed: str, kind: str
) -> list[str]:
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
    return sentences


def read_type(
    analysis: PalmAnalysis,
    analysis_type: AnalysisType,
    *,
    seed: str,
    table: PalmistryTable | None = None,
    style: ReaderStyle = DEFAULT_STYLE,
) -> Interpretation:
    """One analysis type's offline interpretation, in the person's style."""
    table = table or load_table()
    phrases = table.types[analysis_type]
    kind = analysis_type.value
    per_line: dict[str, str] = {}
    for name in TYPE_LINES[analysis_type]:
        label = line_label(table, analysis_type, name, style)
        line = _found_line(analysis, name)
        per_line[name] = (
            _line_text(phrases, line, label, seed, kind, style)
            if line is not None
            else missing_line_text(table, label, seed, kind, style)
        )
    return Interpretation(
        analysis_type=analysis_type,
        title=type_title(table, analysis_type, style),
        text=_overall(analysis, analysis_type, table, seed, style),
        per_line=per_line,
        confidence=line_confidence(analysis, analysis_type),
        engine=OFFLINE_ENGINE,
        table_version=table.version,
    )


def type_title(
    table: PalmistryTable, kind: AnalysisType, style: ReaderStyle = DEFAULT_STYLE
) -> str:
    if _english(style):
        return table.types[kind].title
    return phrases_for(style.language).titles[kind.value]


def _overall(
    analysis: PalmAnalysis,
    analysis_type: AnalysisType,
    table: PalmistryTable,
    seed: str,
    style: ReaderStyle,
) -> str:
    kind, element = analysis_type.value, analysis.hand_shape.element
    phrases, book = table.types[analysis_type], phrases_for(style.language)
    english, playful = _english(style), style.tone == Tone.PLAYFUL
    names = TYPE_LINES[analysis_type]
    found = sum(_found_line(analysis, name) is not None for name in names)
    parts = [pick(book.playful_open, seed, kind, "open")] if playful else []
    role = style.hand_role(analysis.hand)
    if role is not None:
        parts.append(book.hand_role[role])
    if not found:
        parts.append(
            pick(
                table.nothing_found if english else book.nothing_found, seed, kind, "nothing_found"
            )
        )
    if style.tone == Tone.MATTER_OF_FACT:
        name = book.element_names[element]
        parts.append(book.fact_overall.format(element=name, found=found, total=len(names)))
        return " ".join(parts)
    elements = phrases.elements if english else book.elements
    parts.append(pick(elements[element], seed, kind, "element", element))
    if not style.short:
        parts.append(pick(phrases.closing if english else book.closing, seed, kind, "closing"))
        if playful:
            parts.append(pick(book.playful_close, seed, kind, "close"))
    return " ".join(parts)


def read_offline(
    analysis: PalmAnalysis,
    types: Sequence[AnalysisType],
    *,
    seed: str,
    style: ReaderStyle = DEFAULT_STYLE,
) -> list[Interpretation]:
    """Offline interpretations for each requested type, in the order asked."""
    table = load_table()
    return [read_type(analysis, kind, seed=seed, table=table, style=style) for kind in types]
