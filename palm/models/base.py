"""Column types and enums shared by every model.

``SealedText`` and ``SealedJSON`` store what describes a person (reading texts, filenames,
landmarks, line courses) as Fernet tokens under the cipher of the engine they run on (see
palm.db): rows hold ciphertext, Python code sees plain values. Fernet tokens of equal texts
differ, so SQL cannot filter, sort or search these columns; such an expression (a comparison,
LIKE, ASC/DESC) is refused with a TypeError instead of silently matching nothing. Numbers the
trends aggregate stay plain.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import InvalidToken
from sqlalchemy import DateTime, Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators

from palm.db import cipher_of
from palm.errors import PalmError


def utcnow() -> datetime:
    """Aware UTC now: one clock for every timestamp column."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always returns aware datetimes, also on SQLite (which drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class UnreadableDataError(PalmError):
    def __init__(self) -> None:
        super().__init__(
            "UNREADABLE_DATA",
            "Stored data could not be decrypted with the configured keys (was a key removed "
            "before `python -m palm rotate-keys` finished?).",
        )


#: The only SQL a sealed column takes part in: IS NULL / IS NOT NULL.
_NULL_TESTS = frozenset({operators.is_, operators.is_not})


class _SealedComparator(TypeDecorator.Comparator[Any]):
    def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
        if op not in _NULL_TESTS:
            raise TypeError(f"{self.expr} is encrypted: SQL cannot compare, sort or search it")
        return super().operate(op, *other, **kwargs)


def _seal(dialect: Dialect, plain: str) -> str:
    return cipher_of(dialect).encrypt(plain.encode("utf-8")).decode("ascii")


def _unseal(dialect: Dialect, token: str) -> str:
    try:
        return cipher_of(dialect).decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise UnreadableDataError() from exc


class SealedText(TypeDecorator[str]):
    """Text stored as a Fernet token (ASCII) under the engine's cipher."""

    impl = Text
    cache_ok = True
    comparator_factory = _SealedComparator

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _seal(dialect, value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _unseal(dialect, value)


class SealedJSON(TypeDecorator[Any]):
    """A JSON value stored as the Fernet token of its compact JSON text."""

    impl = Text
    cache_ok = True
    comparator_factory = _SealedComparator

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _seal(dialect, json.dumps(value, separators=(",", ":"), ensure_ascii=False))

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(_unseal(dialect, value))
