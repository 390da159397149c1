"""A reading's line summary, ``readings.lines_found`` and ``readings.mean_confidence``: how
many of its line rows were found and their mean confidence. History pages and exports read
them from the reading's own row; they are written here, in the transaction that writes the
line rows, by the same SQL aggregates the pages used to run per reading."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from palm.models import LineResult, Reading


def _aggregates() -> dict[str, Any]:
    found = LineResult.reading_id == Reading.id, LineResult.found.is_(True)
    return {
        "lines_found": select(func.count()).where(*found).scalar_subquery(),
        "mean_confidence": select(func.avg(LineResult.confidence)).where(*found).scalar_subquery(),
    }


def refresh(session: Session, reading: Reading) -> None:
    """Recount the reading's summary from its line rows (pending rows are flushed first)."""
    session.flush()
    statement = update(Reading).where(Reading.id == reading.id).values(**_aggregates())
    session.execute(statement.execution_options(synchronize_session=False))
    session.expire(reading, ["lines_found", "mean_confidence"])


def refresh_all(session: Session) -> None:
    """Recount every reading's summary (after a bulk load that wrote line rows directly)."""
    statement = update(Reading).values(**_aggregates())
    session.execute(statement.execution_options(synchronize_session=False))
