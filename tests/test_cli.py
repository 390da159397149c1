"""`python -m palm …` as an operator runs it: real processes, the test database and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.cli import main
from palm.db import transaction
from palm.models import ReadingDaily, User
from palm.settings import PROJECT_ROOT
from tests.workers.burst import run_burst_worker

PASSWORD = "correct horse battery\n"


def palm(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "palm", *args],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def environment(db_url: str, tmp_path: Path, redis_url: str | None = None) -> dict[str, str]:
    env = {"DATABASE_URL": db_url, "PALM_DATA_DIR": str(tmp_path / "data")}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def test_migrate_builds_a_new_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = palm("migrate", env=environment(url, tmp_path))
    assert result.returncode == 0, result.stderr
    created = palm(
        "create-user",
        "ana@example.com",
        "--password-stdin",
        env=environment(url, tmp_path),
        stdin=PASSWORD,
    )
    assert created.stdout.strip() == "created ana@example.com (user)"


def test_create_user_then_set_role(
    db_url: str, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    env = environment(db_url, tmp_path)
    created = palm(
        "create-user",
        "ana@example.com",
        "--role",
        "admin",
        "--password-stdin",
        env=env,
        stdin=PASSWORD,
    )
    assert created.returncode == 0 and created.stdout.strip() == "created ana@example.com (admin)"
    palm("create-user", "ben@example.com", "--password-stdin", env=env, stdin=PASSWORD)
    promoted = palm("set-role", "ben@example.com", "analyst", env=env)
    assert promoted.stdout.strip() == "ben@example.com is now analyst"
    with transaction(session_factory) as session:
        roles = {row.email: row.role for row in session.execute(select(User.email, User.role))}
    assert roles == {"ana@example.com": "admin", "ben@example.com": "analyst"}


def test_refusals_exit_1_with_a_code_and_change_nothing(
    db_url: str, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    env = environment(db_url, tmp_path)
    palm("create-user", "ana@example.com", "--password-stdin", env=env, stdin=PASSWORD)
    again = palm("create-user", "ANA@example.com", "--password-stdin", env=env, stdin=PASSWORD)
    assert again.returncode == 1 and "[DUPLICATE_EMAIL]" in again.stderr
    weak = palm("create-user", "ben@example.com", "--password-stdin", env=env, stdin="short\n")
    assert weak.returncode == 1 and "[WEAK_PASSWORD]" in weak.stderr
    unknown = palm("set-role", "nobody@example.com", "admin", env=env)
    assert unknown.returncode == 1 and "[NOT_FOUND]" in unknown.stderr
    with transaction(session_factory) as session:
        assert session.scalars(select(User.email)).all() == ["ana@example.com"]


def test_rebuild_rollups_recounts_the_readings(
    db_url: str, tmp_path: Path, session_factory: sessionmaker[Session]
) -> None:
    with transaction(session_factory) as session:
        session.add(
            ReadingDaily(user_id=1, day="2026-01-01", status="done", hand="", shape="", n=3)
        )
    result = palm("rebuild-rollups", env=environment(db_url, tmp_path))
    assert result.returncode == 0 and result.stdout.strip() == "trend rollups rebuilt"
    with transaction(session_factory) as session:
        assert session.scalars(select(ReadingDaily)).all() == []  # no readings: nothing to count


def test_ping_without_redis_names_the_setting(db_url: str, tmp_path: Path) -> None:
    env = {**environment(db_url, tmp_path), "REDIS_URL": ""}
    result = palm("ping", env=env)
    assert result.returncode == 1 and "[NO_REDIS_URL]" in result.stderr


def test_ping_round_trips_through_a_worker(db_url: str, redis_url: str, tmp_path: Path) -> None:
    env = environment(db_url, tmp_path, redis_url)
    ping = subprocess.Popen(
        [sys.executable, "-m", "palm", "ping"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while ping.poll() is None:  # each burst drains what is queued, the ping job once it is
            assert run_burst_worker(redis_url, db_url, tmp_path / "data").returncode == 0
        out, err = ping.communicate(timeout=30)
    finally:
        ping.kill()
    assert ping.returncode == 0, err
    assert out.startswith("ping job ") and out.strip().endswith(": finished")


def test_an_unreachable_database_fails_the_migration_with_its_reason(tmp_path: Path) -> None:
    env = environment("postgresql://nobody:secret@127.0.0.1:1/none", tmp_path)
    result = palm("migrate", env=env)
    assert result.returncode == 1
    assert "migrations failed" in result.stderr and "secret" not in result.stderr


@pytest.mark.usefixtures("app_env")
def test_an_interrupted_rotate_keys_says_how_to_resume(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import palm.rotation

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(palm.rotation, "rotate_keys", interrupted)
    assert main(["rotate-keys"]) == 130
    assert "run rotate-keys again to resume" in capsys.readouterr().out
