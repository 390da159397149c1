"""Which lines each reading found, in the vocabulary's order: what one-line summaries are
written from, in the language of whoever looks at them."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import LineResult
from palm.vocabulary import LINE_NAMES


def found_lines(session: Session, reading_ids: Iterable[int]) -> dict[int, tuple[str, ...]]:
    """Reading id → the names of the lines it found (one query for a whole page)."""
    ids = list(reading_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(LineResult.reading_id, LineResult.line).where(
            LineResult.reading_id.in_(ids), LineResult.found.is_(True)
        )
    )
    found: dict[int, set[str]] = {}
    for reading_id, line in rows:
        found.setdefault(reading_id, set()).add(line)
    return {
        reading_id: tuple(name for name in LINE_NAMES if name in names)
        for reading_id, names in found.items()
    }
