"""Per-user preferences (JSON values under string keys)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from palm.models import Preference

DEFAULT_ANALYSIS_TYPES = "default_analysis_types"


def get_preference(session: Session, user_id: int, key: str, default: Any = None) -> Any:
    row = session.scalar(
        select(Preference).where(Preference.user_id == user_id, Preference.key == key)
    )
    if row is None:
        return default
    try:
        return json.loads(row.value)
    except json.JSONDecodeError:
        return default


def set_preference(session: Session, user_id: int, key: str, value: Any) -> None:
    row = session.scalar(
        select(Preference).where(Preference.user_id == user_id, Preference.key == key)
    )
    if row is None:
        session.add(Preference(user_id=user_id, key=key, value=json.dumps(value)))
    else:
        row.value = json.dumps(value)
