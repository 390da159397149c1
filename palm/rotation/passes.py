"""One batch of one kind: read the next rows after the checkpoint, re-encrypt what they hold
with ``MultiFernet.rotate``, all in the caller's transaction (which also moves the checkpoint).

Rows are updated compare-and-swap (``WHERE id = … AND column = <old token>``): a value the app
rewrote meanwhile is already under the newest key and is left alone. Blob files are rewritten
atomically before the transaction commits; redoing a batch after a crash only rotates again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import Integer, Row, Select, TableClause, Text, bindparam, func, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.infra import BlobStore, BlobUnreadableError
from palm.rotation.kinds import BlobKind, ColumnKind, Kind


class RotationError(PalmError):
    """A value no configured key decrypts: the pass stops before writing that batch."""

    def __init__(self, kind: str, row_id: int) -> None:
        super().__init__(
            "ROTATION_UNREADABLE",
            f"{kind} #{row_id} does not decrypt with any configured key. Put back the key it "
            "was written with (after the first in PALM_ENCRYPTION_KEYS) and run rotate-keys "
            "again: it resumes where it stopped.",
        )


@dataclass(frozen=True)
class Batch:
    rows: int
    last_id: int
    missing: int  # blob files already gone (their reading was deleted meanwhile)


def _names(kind: Kind) -> tuple[str, ...]:
    return kind.columns if isinstance(kind, ColumnKind) else (kind.column,)


def _table(kind: Kind) -> TableClause:
    """The table as plain TEXT columns: the raw tokens, not the sealed types' plain values."""
    names = (sql_column(name, Text) for name in _names(kind))
    return table(kind.table, sql_column("id", Integer), *names)


def _after(
    query: Select[*tuple[Any, ...]], rows: TableClause, kind: Kind, after: int
) -> Select[*tuple[Any, ...]]:
    query = query.where(rows.c.id > after)
    if isinstance(kind, BlobKind):
        query = query.where(rows.c[kind.column].is_not(None))
    return query


def remaining(session: Session, kind: Kind, after: int) -> int:
    """Rows of this kind after the checkpoint (blob kinds: rows that name a file)."""
    rows = _table(kind)
    query = _after(select(func.count()).select_from(rows), rows, kind, after)
    return int(session.scalar(query) or 0)


def rotate_batch(
    session: Session, cipher: MultiFernet, blobs: BlobStore, kind: Kind, after: int, size: int
) -> Batch:
    """Re-encrypt the next ``size`` rows (or their files) after id ``after``."""
    rows = _table(kind)
    query = select(rows.c.id, *(rows.c[name] for name in _names(kind)))
    found = session.execute(_after(query, rows, kind, after).order_by(rows.c.id).limit(size))
    batch = list(found)
    if not batch:
        return Batch(0, after, 0)
    missing = 0
    if isinstance(kind, BlobKind):
        missing = _rotate_files(blobs, kind, batch)
    else:
        _rotate_values(session, cipher, kind, rows, batch)
    return Batch(len(batch), int(batch[-1][0]), missing)


def _rotate_files(blobs: BlobStore, kind: BlobKind, batch: Sequence[Row[*tuple[Any, ...]]]) -> int:
    missing = 0
    for row in batch:
        try:
            missing += 0 if blobs.rotate(row[1]) else 1
        except BlobUnreadableError as exc:
            raise RotationError(kind.name, row[0]) from exc
    return missing


def _rotated(cipher: MultiFernet, kind: ColumnKind, row_id: int, token: str) -> str:
    try:
        return cipher.rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeError) as exc:
        raise RotationError(kind.name, row_id) from exc


def _rotate_values(
    session: Session,
    cipher: MultiFernet,
    kind: ColumnKind,
    rows: TableClause,
    batch: Sequence[Row[*tuple[Any, ...]]],
) -> None:
    for index, name in enumerate(kind.columns, start=1):
        changes = [
            {"row_id": row[0], "old": row[index], "new": _rotated(cipher, kind, row[0], row[index])}
            for row in batch
            if row[index] is not None
        ]
        if changes:
            swap = (
                rows.update()
                .where(rows.c.id == bindparam("row_id"), rows.c[name] == bindparam("old"))
                .values({name: bindparam("new")})
            )
            session.execute(swap, changes)
