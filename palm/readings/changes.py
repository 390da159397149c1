"""The readings' change sequence (``reading_changes``, see palm.models.changes): written in
the transaction of every change that moves the rollups, read by the analysts' columnar mirror.

``record`` is called by ``rollups.apply`` (every add, change and delete of a reading passes
there) and, with no reading, by the rebuilds. ``since`` answers "what was committed after my
last look" exactly on both databases: on SQLite by id (writers take turns, so ids commit in
order); on PostgreSQL by transaction id against the reader's previous snapshot, so a
transaction that was still open then is read once it commits, whatever its ids.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, delete, func, insert, literal_column, select, text
from sqlalchemy.orm import Session

from palm.models import ReadingChange, utcnow

#: The current transaction's id on PostgreSQL (assigned now if it has none yet).
PG_TXID = literal_column("pg_current_xact_id()::text::bigint", BigInteger)


@dataclass(frozen=True)
class Changes:
    """What was committed since a mark: the readings, or everything (``reload``)."""

    mark: str
    reading_ids: frozenset[int]
    reload: bool


def record(session: Session, reading_id: int | None) -> None:
    """List a reading as changed (None: any reading may have changed) in this transaction."""
    values: dict[str, object] = {"reading_id": reading_id, "created_at": utcnow()}
    if session.get_bind().dialect.name == "postgresql":
        values["txid"] = PG_TXID
    session.execute(insert(ReadingChange).values(**values))


def forget(session: Session, reading_ids: Sequence[int]) -> None:
    """An account's readings are gone: their ids leave the sequence too (nothing of a deleted
    person stays anywhere), and one "everything" row makes the mirrors reload without them."""
    for start in range(0, len(reading_ids), 1000):
        chunk = list(reading_ids[start : start + 1000])
        session.execute(delete(ReadingChange).where(ReadingChange.reading_id.in_(chunk)))
    record(session, None)


def mark_now(session: Session) -> str:
    """A mark before a full load: everything committed after it will be listed by ``since``."""
    if _postgres(session):
        return str(session.scalar(text("SELECT pg_current_snapshot()::text")))
    return str(session.scalar(select(func.coalesce(func.max(ReadingChange.id), 0))))


def since(session: Session, mark: str) -> Changes:
    """The changes committed after ``mark`` (a ``mark_now`` or an earlier ``Changes.mark``);
    a change listed twice is harmless (the reader re-fetches the reading as it is)."""
    if _postgres(session):
        statement = text(
            "WITH s AS (SELECT pg_current_snapshot() AS now) "
            "SELECT s.now::text, c.reading_id, c.id IS NOT NULL FROM s "
            "LEFT JOIN reading_changes c ON c.txid >= pg_snapshot_xmin(CAST(:mark AS pg_snapshot))"
            "::text::bigint AND NOT pg_visible_in_snapshot(c.txid::text::xid8, "
            "CAST(:mark AS pg_snapshot))"
        )
        rows = session.execute(statement, {"mark": mark}).all()
        new_mark = str(rows[0][0])
        listed = [reading_id for _, reading_id, present in rows if present]
    else:
        after = int(mark)
        newer = select(ReadingChange.id, ReadingChange.reading_id).where(ReadingChange.id > after)
        found = session.execute(newer.order_by(ReadingChange.id)).all()
        new_mark = str(found[-1][0]) if found else mark
        listed = [reading_id for _, reading_id in found]
    ids = frozenset(reading_id for reading_id in listed if reading_id is not None)
    return Changes(new_mark, ids, reload=any(reading_id is None for reading_id in listed))


#: How long the sequence is kept: a mirror that has not looked for a quarter of this reloads
#: (palm.explore.mirror.MAX_IDLE_SECONDS), so no mirror ever needs a pruned row.
KEEP = timedelta(days=1)


def prune(session: Session, before: datetime) -> int:
    """Drop the rows older than ``before`` (worker maintenance: ``now - KEEP``)."""
    result = session.execute(delete(ReadingChange).where(ReadingChange.created_at < before))
    return int(getattr(result, "rowcount", 0) or 0)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"
