"""The analysts' columnar mirror: a copy of every reading and its lines in this process's
memory (palm.explore.mirror_columns), for the History filters no rollup answers (a
confidence range, a line filter under an engine or type filter over partial months…).

Exact at every answer: before it reads, the mirror takes the readings committed since its last
look from the change sequence (palm.readings.changes) and re-fetches them, in the reader's own
transaction; a reading it cannot find any more was deleted. A rebuild of the rollups (or any
bulk change) lists "everything": the mirror then reloads. Until it has loaded (in the
background: about a minute per million readings), or while it reloads, it answers nothing and
the caller runs the raw query. Text search reads the blind index's terms (palm.explore.
mirror_terms): HMACs, never the words.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np
from sqlalchemy import ClauseElement, func, select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore.mirror_columns import (
    LINE_INDEX,
    Columns,
    LineBatch,
    ReadingBatch,
    micros,
)
from palm.explore.mirror_reads import Mask, matching
from palm.explore.mirror_terms import Terms, group_terms
from palm.explore.query import ExploreFilter, Viewer
from palm.infra import release_free_memory
from palm.models import LineResult, Reading, ReadingTerm
from palm.readings import (
    change_mark,
    changes_since,
    search_terms,
    term_key_of,
    types_mask_sql,
)

T = TypeVar("T")
log = logging.getLogger(__name__)
CHUNK = 50_000
#: More changed readings than this since the last look: reloading is cheaper than fetching.
RELOAD_AFTER = 50_000
#: Not looked for this long: reload (the change sequence keeps a day, palm.ops maintenance).
MAX_IDLE_SECONDS = 6 * 3600
RETRY_AFTER_SECONDS = 60.0


class UnknownLineError(Exception):
    """A line row names a line outside LINE_NAMES: the mirror cannot hold it."""


class Mirror:
    """One per process (held by the Explorer); thread-safe: a lock covers each look and read."""

    def __init__(self, factory: sessionmaker[Session], *, enabled: bool = True) -> None:
        self.factory = factory
        self.enabled = enabled
        self.served: Counter[str] = Counter()  # reads answered, by name (ops, tests)
        self._lock = threading.Lock()
        self._columns: Columns | None = None
        self._terms = Terms.empty(0)
        self._mark = ""
        self._looked_at = 0.0
        self._loading: threading.Thread | None = None
        self._loaded = threading.Event()
        self._failed_at = -math.inf  # a failed load is retried on use, after a pause

    def serves(self, viewer: Viewer) -> bool:
        """Whether this read is the mirror's to try: everyone's readings (a person's own are
        few and indexed)."""
        return self.enabled and viewer.sees_everyone

    def answer(
        self,
        session: Session,
        name: str,
        criteria: ExploreFilter,
        read: Callable[[Columns, Mask], T],
    ) -> T | None:
        """``read`` over the readings the filter matches, as committed now; None while the
        mirror is not loaded (the load is then started: the caller goes raw)."""
        with self._lock:
            columns = self._current(session)
            if columns is None:
                return None
            mask = matching(columns, criteria)
            if criteria.text:
                mask &= self._text_mask(session, columns.size, criteria.text)
            result = read(columns, mask)
            self.served[name] += 1
            return result

    def wait_loaded(self, timeout: float) -> bool:
        """Start loading if nothing is held and wait for it (benches, tests, a warm-up)."""
        with self._lock:
            if self._columns is None:
                self._start_load()
        return self._loaded.wait(timeout)

    def _text_mask(self, session: Session, size: int, text: str) -> Mask:
        """Every word's term (the blind index's search terms) among the reading's; a search
        with no word matches nothing, as in SQL."""
        wanted = search_terms(term_key_of(session.get_bind().dialect), text)
        mask = np.ones(size, np.bool_) if wanted else np.zeros(size, np.bool_)
        for term in wanted:
            mask &= self._terms.having(term, size)
        return mask

    def _current(self, session: Session) -> Columns | None:
        columns = self._columns
        if columns is None or time.monotonic() - self._looked_at > MAX_IDLE_SECONDS:
            self._start_load()
            return None
        changes = changes_since(session, self._mark)
        if changes.reload or len(changes.reading_ids) > RELOAD_AFTER:
            self._start_load()
            return None
        if changes.reading_ids:
            refresh(session, columns, self._terms, sorted(changes.reading_ids))
            self._terms = self._terms.folded(columns.size)
        if columns.needs_compaction():
            self._terms = self._terms.remapped(columns.compact(), columns.size)
        self._mark, self._looked_at = changes.mark, time.monotonic()
        return columns

    def _start_load(self) -> None:
        """Drop what is held and load anew in the background (called under the lock)."""
        self._columns = None
        self._loaded.clear()
        if self._loading is not None and self._loading.is_alive():
            return
        if time.monotonic() - self._failed_at < RETRY_AFTER_SECONDS:
            return
        self._loading = threading.Thread(target=self._load, name="explore-mirror", daemon=True)
        self._loading.start()

    def _load(self) -> None:
        started = time.monotonic()
        try:
            with transaction(self.factory) as session:
                mark = change_mark(session)
                columns = load(session)
                terms = load_terms(session, columns)
        except UnknownLineError as error:
            log.warning("explore mirror off: %s", error)
            self.enabled = False
            return
        except Exception:  # a failed load leaves the raw queries answering; retried on use
            log.exception("explore mirror: load failed")
            self._failed_at = time.monotonic()
            return
        release_free_memory()  # the load's row chunks, freed but still held by the heap
        with self._lock:
            self._columns, self._terms, self._mark = columns, terms, mark
            self._looked_at = time.monotonic()
            self._loaded.set()
        log.info(
            "explore mirror: %d readings loaded in %.1f s", columns.size, time.monotonic() - started
        )


READINGS = select(
    Reading.id,
    Reading.created_at,
    Reading.status,
    Reading.hand,
    Reading.hand_shape,
    Reading.engine,
    types_mask_sql(),
).order_by(Reading.created_at, Reading.id)
TERMS = select(ReadingTerm.reading_id, ReadingTerm.term)
LINES = select(
    LineResult.reading_id,
    LineResult.line,
    LineResult.found,
    LineResult.confidence,
    LineResult.length_rel,
    LineResult.depth,
    LineResult.curvature,
)


def load(session: Session) -> Columns:
    """Every reading and line row, a chunk at a time (memory: the columns and one chunk)."""
    total = int(session.scalar(select(func.count(Reading.id))) or 0)
    columns = Columns(capacity=total + 1024)
    for chunk in session.execute(READINGS.execution_options(yield_per=CHUNK)).partitions():
        columns.upsert(_reading_batch(chunk))
    for lines in _raw_chunks(session, LINES):
        columns.set_lines(_line_batch(lines))
    return columns


def _raw_chunks(session: Session, query: ClauseElement) -> Iterator[Sequence[Any]]:
    """The rows of a parameterless query as plain tuples, streamed, through the DB-API cursor
    (a server-side one on PostgreSQL): for the millions of line and term rows, SQLAlchemy's
    row objects cost ten times the fetch itself (104 s against 11 s for 14M terms)."""
    sql = str(query.compile(dialect=session.get_bind().dialect))
    raw = session.connection().connection.dbapi_connection
    assert raw is not None
    postgres = session.get_bind().dialect.name == "postgresql"
    cursor = raw.cursor(name="explore_mirror") if postgres else raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            yield rows
    finally:
        cursor.close()


def load_terms(session: Session, columns: Columns) -> Terms:
    """Every reading's blind-index terms, by term."""
    terms, positions = [], []
    for rows in _raw_chunks(session, TERMS):
        pairs = np.array(rows, np.int64)
        positions.append(columns.positions(pairs[:, 0]))
        terms.append(pairs[:, 1])
    if not terms:
        return Terms.empty(columns.size)
    at, found = np.concatenate(positions), np.concatenate(terms)
    known = at >= 0  # a term row committed after its reading was read: the sequence has it
    return Terms(found[known], at[known], columns.size)


def refresh(session: Session, columns: Columns, terms: Terms, reading_ids: Sequence[int]) -> None:
    """Re-fetch the changed readings, their lines and terms (a missing one was deleted)."""
    for start in range(0, len(reading_ids), 1000):
        wanted = list(reading_ids[start : start + 1000])
        rows = session.execute(READINGS.where(Reading.id.in_(wanted))).all()
        gone = set(wanted) - {row[0] for row in rows}
        columns.drop_many(sorted(gone))
        if rows:
            columns.upsert(_reading_batch(rows))
            lines = session.execute(LINES.where(LineResult.reading_id.in_(wanted))).all()
            if lines:
                columns.set_lines(_line_batch(lines))
            _refresh_terms(session, columns, terms, [row[0] for row in rows])


def _refresh_terms(
    session: Session, columns: Columns, terms: Terms, reading_ids: Sequence[int]
) -> None:
    pairs = session.execute(TERMS.where(ReadingTerm.reading_id.in_(reading_ids))).all()
    places = columns.positions(np.array([reading_id for reading_id, _ in pairs], np.int64))
    terms_of = dict.fromkeys((int(at) for at in columns.positions(reading_ids)), frozenset[int]())
    terms_of.update(group_terms([(r, t) for r, t in pairs], places))
    terms.replace(terms_of, columns.size)


def _reading_batch(rows: Sequence[Sequence[object]]) -> ReadingBatch:
    ids, stamps, status, hand, shape, engine, types = zip(*rows, strict=True)
    return ReadingBatch(
        ids=np.array(ids, np.int64),
        ts=np.array([micros(moment) for moment in stamps], np.int64),
        status=[str(value) for value in status],
        hand=hand,
        shape=shape,
        engine=engine,
        types=np.array(types, np.int64),
    )


def _line_batch(rows: Sequence[Sequence[object]]) -> LineBatch:
    """Line rows as columns (NULL: confidence NaN, a metric 0, as the rollups count it)."""
    reading_ids, names, found, *numbers = zip(*rows, strict=True)
    try:
        line = np.array([LINE_INDEX[name] for name in names], np.int64)
    except KeyError as error:
        raise UnknownLineError(f"line {error.args[0]!r} is not in LINE_NAMES") from error
    values = np.array(numbers, np.float64).T  # None becomes NaN
    return LineBatch(
        reading_ids=np.array(reading_ids, np.int64),
        line=line,
        found=np.array(found, np.bool_),
        confidence=values[:, 0].copy(),
        metrics=np.nan_to_num(values[:, 1:], nan=0.0),
    )
