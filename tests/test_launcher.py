"""`python -m palm serve`: the whole stack starts, fails loudly, and stops without orphans."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import redis
from rq import Worker

from palm.launcher import prepare
from palm.settings import PROJECT_ROOT, Settings
from tests.e2e.stack import RunningStack, running_stack, wait_until


def serve_once(env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "palm", "serve"],
        cwd=PROJECT_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_unreachable_redis_url_exits_non_zero_naming_it(db_url: str, tmp_path: Path) -> None:
    result = serve_once(
        {
            "DATABASE_URL": db_url,
            "REDIS_URL": "redis://127.0.0.1:1/0",
            "PALM_DATA_DIR": str(tmp_path),
        }
    )
    assert result.returncode != 0
    assert "redis://127.0.0.1:1/0" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_migration_that_cannot_apply_stops_the_launcher_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database directory should be")
    result = serve_once(
        {"DATABASE_URL": f"sqlite:///{blocker}/palm.db", "PALM_DATA_DIR": str(tmp_path)}
    )
    assert result.returncode != 0
    assert "migrations failed" in result.stderr
    assert "Traceback" not in result.stderr


def rq_worker_processes(stack: RunningStack) -> list[psutil.Process]:
    """The launcher's direct children that run `rq worker`."""
    workers = []
    for child in psutil.Process(stack.process.pid).children():
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "worker" in child.cmdline()[1:3]:
                workers.append(child)
        except psutil.Error:  # it ended while we looked
            continue
    return workers


def test_embedded_stack_serves_runs_workers_and_stops_without_orphans(
    db_url: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    env = {"DATABASE_URL": db_url, "PALM_DATA_DIR": str(tmp_path / "data")}
    with running_stack(env, tmp_path, workers=2) as stack:
        children = stack.descendants()
        redis_server = [p for p in children if "redis-server" in p.name()]
        assert len(redis_server) == 1
        port = next(
            c.laddr.port
            for c in redis_server[0].net_connections("inet")
            if c.status == psutil.CONN_LISTEN
        )
        client = redis.Redis(port=port)
        wait_until(lambda: len(Worker.all(connection=client)) == 2, 60, "two workers", stack)
        assert (tmp_path / "data" / "redis").is_dir()
        launched = psutil.Process(stack.process.pid).children()
        assert sum("workers.scheduler" in p.cmdline() for p in launched) == 1  # its own child
        for each in rq_worker_processes(stack):  # a killed worker can orphan nothing
            assert "--with-scheduler" not in each.cmdline() and each.children() == []
        worker = rq_worker_processes(stack)[0]
        worker.kill()
        wait_until(
            lambda: (
                worker not in rq_worker_processes(stack) and len(Worker.all(connection=client)) == 2
            ),
            90,
            "a restarted worker",
            stack,
        )
        client.close()
        children = stack.descendants()
        stack.process.send_signal(signal.SIGINT)
        assert stack.process.wait(timeout=60) == 0
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == []


def test_children_die_when_the_launcher_is_killed(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    env = {"DATABASE_URL": db_url, "PALM_DATA_DIR": str(tmp_path / "data")}
    with running_stack(env, tmp_path, workers=1) as stack:
        children = stack.descendants()
        stack.process.kill()
        stack.process.wait()
        _gone, alive = psutil.wait_procs(children, timeout=30)
        assert alive == []


@pytest.mark.usefixtures("loose_umask")
def test_start_up_tightens_a_data_dir_an_older_version_left_readable(
    db_url: str, redis_url: str, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    (data / "images" / "ab").mkdir(parents=True, mode=0o755)
    (data / "images" / "ab" / f"ab{'0' * 30}.bin").write_bytes(b"token")
    (data / "palm.db").write_bytes(b"")
    data.chmod(0o755)
    settings = Settings(palm_data_dir=data, database_url=db_url, redis_url=redis_url)
    prepare(settings, say=lambda _message: None)
    found = {p.relative_to(data): stat.S_IMODE(p.stat().st_mode) for p in data.rglob("*")}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {m for p, m in found.items() if (data / p).is_dir()} == {0o700}
    assert {m for p, m in found.items() if (data / p).is_file()} == {0o600}
