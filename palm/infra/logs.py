"""Structured logs: one JSON object per line on stderr for every process (the launcher, the
web process, workers, the scheduler), with the event's context when the caller gives it
(``extra={"job_id": …, "user": <pseudonym>, "action": …, "outcome": …, "duration_ms": …}``).

PALM_LOG_LEVEL sets the level, PALM_LOG_FORMAT=text gives classic lines for a terminal.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

#: Context fields a log call may carry (``extra=``); anything else on the record is ignored.
CONTEXT_FIELDS = (
    "request_id",
    "job_id",
    "kind",
    "queue",
    "user",
    "action",
    "outcome",
    "code",
    "duration_ms",
    "worker",
)
_HANDLER_NAME = "palm-structured"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    """Install the one stderr handler on the root logger (idempotent: a second call replaces
    the first's handler, so re-imports and tests do not double every line)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if handler.get_name() == _HANDLER_NAME:
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
