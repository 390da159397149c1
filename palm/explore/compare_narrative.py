"""The offline comparison narrative: deterministic rules about what grew, faded or appeared,
and for two people a playful compatibility score. For entertainment, like every reading."""

from __future__ import annotations

from collections.abc import Sequence

from palm.explore.compare import CompareItem, LineSnapshot
from palm.vocabulary import LINE_NAMES, DayLabel, utc_day

#: A change smaller than this (in the metric's own unit) reads as "steady".
NOTABLE = {"length_rel": 0.05, "depth": 0.05, "curvature": 0.05}
#: Over time a line changes; between two hands (or two people) it differs.
PHRASES = {
    "time": {
        "length_rel": ("grew longer", "became shorter"),
        "depth": ("deepened", "grew fainter"),
        "curvature": ("curves more", "straightened"),
    },
    "side": {
        "length_rel": ("is longer", "is shorter"),
        "depth": ("is deeper", "is fainter"),
        "curvature": ("curves more", "is straighter"),
    },
}
ONLY_IN = {
    "time": ("appeared", "faded from view"),
    "side": ("shows only on this palm", "is found only on the other palm"),
}


def _found(item: CompareItem, line: str) -> LineSnapshot | None:
    snapshot = item.lines.get(line)
    return snapshot if snapshot is not None and snapshot.found else None


def _view(before: CompareItem, after: CompareItem) -> str:
    """ "time" for one hand of one person read twice; "side" for two hands or two people."""
    same_hand = not (before.hand and after.hand and before.hand != after.hand)
    return "time" if before.owner_id == after.owner_id and same_hand else "side"


def _line_changes(line: str, before: CompareItem, after: CompareItem) -> list[str]:
    """Phrases like "grew longer (+0.30)" over time, "is longer (+0.30)" between hands, for
    one line; empty when nothing notable differs."""
    first, second = _found(before, line), _found(after, line)
    view = _view(before, after)
    if first is None and second is None:
        return []
    if first is None:
        return [ONLY_IN[view][0]]
    if second is None:
        return [ONLY_IN[view][1]]
    changes = []
    for metric, threshold in NOTABLE.items():
        delta = float(getattr(second, metric)) - float(getattr(first, metric))
        if abs(delta) >= threshold:
            more, less = PHRASES[view][metric]
            changes.append(f"{more if delta > 0 else less} ({delta:+.2f})")
    return changes


def _joined(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _pair_sentences(before: CompareItem, after: CompareItem) -> list[str]:
    sentences, steady = [], []
    for line in LINE_NAMES:
        changes = _line_changes(line, before, after)
        if changes:
            sentences.append(f"The {line} line {_joined(changes)}.")
        elif _found(before, line) and _found(after, line):
            steady.append(line)
    if steady:
        sentences.append(f"Steady: the {', '.join(steady)} line{'s' if len(steady) > 1 else ''}.")
    return sentences


def _intro(before: CompareItem, after: CompareItem, day: DayLabel) -> str:
    if before.owner_id != after.owner_id:
        return (
            f"{after.labelled(day)} ({after.owner}) beside {before.labelled(day)} ({before.owner}):"
        )
    if before.hand and after.hand and before.hand != after.hand:
        return (
            f"Your {after.hand} hand beside your {before.hand} hand (tradition reads the one "
            "as what you were given and the other as what you make of it); on the "
            f"{after.hand} hand:"
        )
    return f"From {day(before.created_at)} to {day(after.created_at)}:"


def narrative(items: Sequence[CompareItem], day: DayLabel = utc_day) -> list[str]:
    """Paragraphs comparing each later reading with the first one (days written by ``day``)."""
    paragraphs = []
    for other in items[1:]:
        sentences = _pair_sentences(items[0], other)
        body = " ".join(sentences) or "No line was found in both readings to compare."
        paragraphs.append(f"{_intro(items[0], other, day)} {body}")
    return paragraphs


def compatibility(items: Sequence[CompareItem]) -> int | None:
    """0–100 for two people's readings: how alike their shared lines run. None for one person."""
    if len(items) != 2 or items[0].owner_id == items[1].owner_id:
        return None
    scores = []
    for line in LINE_NAMES:
        first, second = _found(items[0], line), _found(items[1], line)
        if first is None or second is None:
            continue
        gaps = [abs(float(getattr(first, m)) - float(getattr(second, m))) for m in NOTABLE]
        scores.append(max(0.0, 1.0 - sum(gaps) / len(gaps) * 2))
    return round(100 * sum(scores) / len(scores)) if scores else 0


def compatibility_sentence(score: int) -> str:
    if score >= 80:
        return "Your lines run remarkably alike — kindred palms, the tradition would say."
    if score >= 55:
        return "Enough in common to understand each other, enough apart to stay interesting."
    return "Very different palms: the tradition would call it a pairing of opposites."
