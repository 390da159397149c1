"""Removing something from v1 is announced first: the operation is marked deprecated in the
schema and every response carries ``Deprecation`` (RFC 9745) and ``Sunset`` (RFC 8594)
headers, with a link to what replaces it, until the sunset date of the next version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time
from email.utils import format_datetime

from fastapi import Response


def deprecated(since: date, sunset: date, successor: str = "") -> Callable[[Response], None]:
    """A route dependency: ``dependencies=[Depends(deprecated(...))], deprecated=True``."""
    since_at = datetime.combine(since, time.min, tzinfo=UTC)
    sunset_at = datetime.combine(sunset, time.min, tzinfo=UTC)

    def announce(response: Response) -> None:
        response.headers["Deprecation"] = f"@{int(since_at.timestamp())}"
        response.headers["Sunset"] = format_datetime(sunset_at, usegmt=True)
        if successor:
            response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return announce
