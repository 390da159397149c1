"""What the chat reader knows about a reading: lines and their bands, hand shape, and a text
per analysis type (the stored interpretation, else the offline reader's, so every topic can
be answered). Plain frozen data, built owner-scoped from the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.chat.threads import reading_label
from palm.models import Image, Interpretation, Reading
from palm.readers import line_bands, read_type
from palm.readings import finished_readings
from palm.vision import PalmAnalysis
from palm.vocabulary import LINE_NAMES, AnalysisType, ReadingStatus


@dataclass(frozen=True)
class LineFact:
    name: str
    found: bool
    bands: dict[str, str]
    confidence: float

    def describe(self) -> str:
        """'long, deep, curved, unbroken, some branches' or 'not found in the photo'."""
        if not self.found:
            return "not found in the photo"
        b = self.bands
        branches = {"none": "no branches", "some": "a few branches", "many": "many branches"}
        breaks = {"unbroken": "unbroken", "one_break": "one break", "broken": "several breaks"}
        return (
            f"{b['length']}, {b['depth']}, {b['curvature']}, {breaks[b['breaks']]}, "
            f"{branches[b['branches']]}"
        )


@dataclass(frozen=True)
class TypeText:
    title: str
    text: str
    per_line: dict[str, str]


@dataclass(frozen=True)
class ReadingFacts:
    reading_id: int
    label: str
    hand: str | None
    created_at: datetime
    shape: str | None
    lines: dict[str, LineFact]
    texts: dict[str, TypeText]
    seed: str

    def line(self, name: str) -> LineFact | None:
        return self.lines.get(name)

    def describe(self, *, with_texts: bool = True) -> str:
        """The compact block the LLM prompt carries (bands, not raw polylines)."""
        rows = [
            f"Reading {self.label}; hand shape: {self.shape or 'unknown'}.",
            "Lines: "
            + "; ".join(f"{name}: {fact.describe()}" for name, fact in self.lines.items())
            + ".",
        ]
        if with_texts:
            rows += [f"{t.title}: {first_sentences(t.text, 2)}" for t in self.texts.values()]
        return "\n".join(rows)


def first_sentences(text: str, count: int) -> str:
    parts = [part.strip() for part in text.replace("\n", " ").split(". ") if part.strip()]
    joined = ". ".join(parts[:count])
    return joined if joined.endswith((".", "!", "?")) else joined + "."


def facts_of(session: Session, reading: Reading) -> ReadingFacts | None:
    """Facts of a finished reading (None while it is queued, running or failed)."""
    if reading.status != ReadingStatus.DONE or not reading.analysis:
        return None
    analysis = PalmAnalysis.from_dict(reading.analysis)
    image = session.get(Image, reading.image_id) if reading.image_id else None
    seed = image.sha256 if image else f"reading:{reading.id}"
    lines = {
        name: LineFact(name, line.found, line_bands(line), round(line.confidence, 2))
        for name in LINE_NAMES
        if (line := analysis.lines.get(name)) is not None
    }
    return ReadingFacts(
        reading_id=reading.id,
        label=reading_label(reading),
        hand=reading.hand,
        created_at=reading.created_at,
        shape=reading.hand_shape or analysis.hand_shape.element,
        lines=lines,
        texts=_texts(session, reading, analysis, seed),
        seed=seed,
    )


def _texts(
    session: Session, reading: Reading, analysis: PalmAnalysis, seed: str
) -> dict[str, TypeText]:
    stored = {
        i.analysis_type: TypeText(i.title, i.text, dict(i.per_line))
        for i in session.scalars(
            select(Interpretation).where(Interpretation.reading_id == reading.id)
        )
    }
    texts: dict[str, TypeText] = {}
    for kind in AnalysisType:
        if kind.value in stored:
            texts[kind.value] = stored[kind.value]
        else:
            made = read_type(analysis, kind, seed=seed)
            texts[kind.value] = TypeText(made.title, made.text, dict(made.per_line))
    return texts


def reading_facts(session: Session, user_id: int, reading_id: int | None) -> ReadingFacts | None:
    """The facts of one of the user's readings (None: not theirs, not finished, or no id)."""
    if reading_id is None:
        return None
    reading = session.scalar(
        select(Reading).where(Reading.id == reading_id, Reading.user_id == user_id)
    )
    return facts_of(session, reading) if reading is not None else None


def latest_reading_id(session: Session, user_id: int) -> int | None:
    """The user's newest finished reading: what a thread about no reading talks about."""
    newest = finished_readings(session, user_id, limit=1)
    return newest[0].id if newest else None


def other_readings(
    session: Session, user_id: int, exclude_id: int | None, *, limit: int = 4
) -> list[ReadingFacts]:
    """The user's other finished readings, newest first, for comparisons and the other hand."""
    candidates = finished_readings(session, user_id, limit=limit + 1)
    found = [facts_of(session, r) for r in candidates if r.id != exclude_id]
    return [facts for facts in found if facts is not None][:limit]
