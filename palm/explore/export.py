"""History's streamed exports: the whole filtered set as CSV or NDJSON, chunk by chunk.

Memory stays at one chunk however many rows match: rows come from a server-side cursor
(``yield_per``; on SQLite the cursor steps as it goes). The rows are the History page's
(``history.rows_query``: the same scope, filter and order), read the cheap way, since an
export is two sealed texts and a dozen cells per row, a million times:

- Core rows with the sealed columns as their Fernet tokens (no decryption per value by the
  column type), opened a chunk at a time by ``palm.infra.decrypt_many`` (one AES pass per
  chunk; identical results and errors to MultiFernet's);
- owner labels (a pseudonym is an HMAC) and analysis types (JSON text) worked out once per
  distinct value, in bounded memos;
- one ``writerows`` per chunk, and chunks small enough not to wake the garbage collector
  (``CHUNK_ROWS``).

On PostgreSQL the export's transaction plans for the whole result (``cursor_tuple_fraction``
1: a cursor is planned for its first tenth by default, which walks the date index through
every reading to find a filter's few) and without JIT (~0.2 s of compiling per export, for
plans that are index probes).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import String, Text, cast, text, type_coerce
from sqlalchemy.orm import Session

from palm.db import cipher_of
from palm.explore.history import owner_label, rows_query
from palm.explore.query import ExploreFilter, Viewer
from palm.infra import decrypt_many
from palm.models import Reading, UnreadableDataError

CSV_COLUMNS = (
    "reading_id",
    "created_at",
    "owner",
    "filename",
    "hand",
    "hand_shape",
    "status",
    "engine",
    "analysis_types",
    "lines_found",
    "mean_confidence",
    "summary",
)
#: The columns an export reads, in this order (then rows_query's four): sealed ones as tokens.
EXPORT_COLUMNS = (
    Reading.id,
    Reading.user_id,
    Reading.created_at,
    type_coerce(Reading.filename, Text).label("filename"),
    Reading.hand,
    Reading.hand_shape,
    Reading.status,
    Reading.engine,
    cast(Reading.analysis_types, String).label("analysis_types"),
    type_coerce(Reading.summary, Text).label("summary"),
)
FILENAME, SUMMARY = 3, 9  # where the tokens are in a row
#: Rows per fetch and per chunk yielded. Small on purpose: the tracked objects a chunk keeps
#: alive (a Row each, its cells) stay under the garbage collector's first threshold (700), so
#: a chunk never triggers a collection — at 2,000 rows one export ran ~540 collections, four
#: of them full ones over the whole process, ~5 µs a row.
CHUNK_ROWS = 250
#: Distinct owners / type sets remembered per export, at most (then the memo starts over).
MEMO_LIMIT = 50_000
#: What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

K = TypeVar("K")
V = TypeVar("V")


def spreadsheet_safe(text: str) -> str:
    """Text a person wrote, as a cell a spreadsheet shows and never evaluates: a leading
    formula character gets a ``'`` in front (a filename ``=HYPERLINK(…)`` stays a filename)."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


class _Memo(dict[K, V]):
    """A bounded memo: ``get_or_make(key, make)`` computes a value once per key."""

    def get_or_make(self, key: K, make: Callable[[K], V]) -> V:
        try:
            return self[key]
        except KeyError:
            if len(self) >= MEMO_LIMIT:
                self.clear()
            value = self[key] = make(key)
            return value


def _types(raw: str | None) -> list[str]:
    """The analysis types of the column's JSON text (NULL or JSON null: none)."""
    return list((json.loads(raw) if raw is not None else None) or [])


def _joined_types(raw: str | None) -> str:
    return " ".join(_types(raw))


def _open_texts(cipher: MultiFernet, rows: Sequence[Any]) -> tuple[list[str | None], ...]:
    """The chunk's filenames and summaries in clear (None stays None), one batch for both."""
    tokens = [
        token.encode("ascii")
        for row in rows
        for token in (row[FILENAME], row[SUMMARY])
        if token is not None
    ]
    try:
        plain = iter(decrypt_many(cipher, tokens))
    except InvalidToken as exc:
        raise UnreadableDataError() from exc
    filenames: list[str | None] = []
    summaries: list[str | None] = []
    for row in rows:
        filenames.append(None if row[FILENAME] is None else next(plain).decode("utf-8"))
        summaries.append(None if row[SUMMARY] is None else next(plain).decode("utf-8"))
    return filenames, summaries


def _chunks(
    session: Session, viewer: Viewer, criteria: ExploreFilter, chunk_rows: int
) -> Iterator[Sequence[Any]]:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
        session.execute(text("SET LOCAL jit = off"))
    query = rows_query(session, viewer, criteria, EXPORT_COLUMNS, whole_set=True)
    yield from session.execute(query.execution_options(yield_per=chunk_rows)).partitions()


class _Rows:
    """Turns a chunk of raw rows into the exported values; the memos last the whole export."""

    def __init__(self, session: Session, viewer: Viewer) -> None:
        self.viewer = viewer
        self.dialect = session.get_bind().dialect
        self.owners: _Memo[tuple[int, Any, Any], str] = _Memo()
        self.safe_owners: _Memo[tuple[int, Any, Any], str] = _Memo()
        self.types: _Memo[str | None, list[str]] = _Memo()
        self.joined_types: _Memo[str | None, str] = _Memo()

    def _label(self, owner: tuple[int, Any, Any]) -> str:
        return owner_label(self.viewer, *owner)

    def _safe_label(self, owner: tuple[int, Any, Any]) -> str:
        return spreadsheet_safe(self._label(owner))

    def csv_lines(self, rows: Sequence[Any]) -> Iterator[list[object]]:
        """One list of cells per row, made as the writer takes them (few objects alive)."""
        filenames, summaries = _open_texts(cipher_of(self.dialect), rows)
        for row, filename, summary in zip(rows, filenames, summaries, strict=True):
            reading_id, owner_id, created_at, _, hand, shape, status, engine, types = row[:9]
            found, confidence, email, opt_in = row[10:]
            yield [
                reading_id,
                created_at.isoformat(),
                self.safe_owners.get_or_make((owner_id, email, opt_in), self._safe_label),
                spreadsheet_safe(filename or ""),
                hand or "",
                shape or "",
                status,
                engine or "",
                self.joined_types.get_or_make(types, _joined_types),
                int(found or 0),
                "" if confidence is None else round(float(confidence), 3),
                spreadsheet_safe(summary or ""),
            ]

    def json_lines(self, rows: Sequence[Any]) -> str:
        """One JSON object per row: the text as written and the types as a list (no
        spreadsheet guards)."""
        filenames, summaries = _open_texts(cipher_of(self.dialect), rows)
        lines = []
        for row, filename, summary in zip(rows, filenames, summaries, strict=True):
            reading_id, owner_id, created_at, _, hand, shape, status, engine, types = row[:9]
            found, confidence, email, opt_in = row[10:]
            values = {
                "reading_id": reading_id,
                "created_at": created_at.isoformat(),
                "owner": self.owners.get_or_make((owner_id, email, opt_in), self._label),
                "filename": filename,
                "hand": hand or "",
                "hand_shape": shape or "",
                "status": status,
                "engine": engine or "",
                "analysis_types": self.types.get_or_make(types, _types),
                "lines_found": int(found or 0),
                "mean_confidence": None if confidence is None else round(float(confidence), 3),
                "summary": summary,
            }
            lines.append(json.dumps(values, ensure_ascii=False, separators=(",", ":")) + "\n")
        return "".join(lines)


def export_csv(
    session: Session, viewer: Viewer, criteria: ExploreFilter, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[str]:
    """The whole filtered set as CSV text chunks: the header with the first ``chunk_rows``
    rows, then one chunk per ``chunk_rows`` rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    rows = _Rows(session, viewer)
    for partition in _chunks(session, viewer, criteria, chunk_rows):
        writer.writerows(rows.csv_lines(partition))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def export_ndjson(
    session: Session, viewer: Viewer, criteria: ExploreFilter, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[str]:
    """The same rows as the CSV, one JSON object per line, streamed the same way."""
    rows = _Rows(session, viewer)
    for partition in _chunks(session, viewer, criteria, chunk_rows):
        yield rows.json_lines(partition)
