"""Structured logs: one JSON object per line with the event's context; configuring twice
leaves one handler."""

from __future__ import annotations

import json
import logging

import pytest

from palm.infra import JsonFormatter, configure_logging


def test_a_record_is_one_json_line_with_its_context() -> None:
    record = logging.LogRecord("palm.test", logging.INFO, __file__, 1, "job %s", ("ping",), None)
    record.job_id, record.outcome, record.duration_ms = "abc", "finished", 12.5
    record.password = "never shown"  # not a context field
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["event"] == "job ping" and entry["level"] == "info"
    assert (entry["job_id"], entry["outcome"], entry["duration_ms"]) == ("abc", "finished", 12.5)
    assert "password" not in entry and entry["ts"].endswith("+00:00")


def test_configuring_again_replaces_the_handler(capsys: pytest.CaptureFixture[str]) -> None:
    root = logging.getLogger()
    before = list(root.handlers), root.level
    try:
        configure_logging("info", "json")
        configure_logging("warning", "json")
        ours = [h for h in root.handlers if h.get_name() == "palm-structured"]
        assert len(ours) == 1 and root.level == logging.WARNING
        logging.getLogger("palm.test").warning("careful", extra={"action": "test"})
        entry = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
        assert entry["event"] == "careful" and entry["action"] == "test"
    finally:
        for handler in [h for h in root.handlers if h.get_name() == "palm-structured"]:
            root.removeHandler(handler)
        root.handlers[:] = before[0]
        root.setLevel(before[1])
