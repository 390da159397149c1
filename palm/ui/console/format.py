"""Figures as the console writes them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, is_dataclass
from typing import Any

import pandas as pd

REFRESH_SECONDS = 5.0


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 120:
        return f"{value:.1f} s"
    if value < 7200:
        return f"{value / 60:.1f} min"
    return f"{value / 3600:.1f} h"


def megabytes(value: int | None) -> str:
    return "—" if value is None else f"{value / 1_048_576:.1f} MB"


def frame(rows: Iterable[Any], columns: dict[str, str] | None = None) -> pd.DataFrame:
    """A DataFrame of dataclass rows, columns renamed (and chosen) by ``columns``."""
    records = [
        asdict(row) if is_dataclass(row) and not isinstance(row, type) else dict(row)
        for row in rows
    ]
    data = pd.DataFrame(records)
    if columns is None or data.empty:
        return data if columns is None else pd.DataFrame(columns=list(columns.values()))
    return data[list(columns)].rename(columns=columns)
