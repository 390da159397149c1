"""Figures as the console writes them."""

from __future__ import annotations

import math
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
        return dashed(data) if columns is None else pd.DataFrame(columns=list(columns.values()))
    return dashed(data[list(columns)].rename(columns=columns))


def dashed(data: pd.DataFrame, digits: int = 2) -> pd.DataFrame:
    """Missing figures shown as "—": st.dataframe writes a missing value as "None". Only the
    columns with a gap become text (numbers to ``digits`` places); the others stay numbers."""
    shown = data.copy()
    for column in shown.columns:
        values = shown[column]
        if values.isna().any():
            shown[column] = [_cell(value, digits) for value in values]
    return shown


def _cell(value: object, digits: int) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)
