"""The API's bulk export over N synthetic readings: rows per second and the API process's
memory (`python -m palm api` under uvicorn, read over HTTP) while an analyst streams
everything as NDJSON (or CSV) — it should stay flat whatever N is.

    .venv/bin/python bench/api_export.py 100000 [--format csv]

Seeds a temporary SQLite database with bench/seed.py (or uses DATABASE_URL as it is).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
import psutil

from palm.accounts import create_token
from palm.db import transaction
from palm.infra import free_port, start_embedded_redis
from palm.runtime import get_runtime
from palm.settings import get_settings

ANALYST_ID = 1001  # bench/seed.py's analyst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("--format", choices=["ndjson", "csv"], default="ndjson")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="palm-bench-export-"))
    os.environ["PALM_DATA_DIR"] = str(workdir / "data")
    os.environ["PALM_EXPORT_PER_ACCOUNT"] = os.environ["PALM_EXPORT_PER_ADDRESS"] = "1000/hour"
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.db'}"
        from bench.seed import seed

        seed(os.environ["DATABASE_URL"], args.n, min(10_000, args.n))
    embedded = start_embedded_redis(workdir / "redis", persist=False)
    os.environ["REDIS_URL"] = embedded.url
    get_settings.cache_clear()
    runtime = get_runtime()
    with transaction(runtime.session_factory) as session:
        _, token = create_token(session, ANALYST_ID, name="bench", scopes=["read", "admin"])
    server = subprocess.Popen(
        [sys.executable, "-m", "palm", "api"],
        env={**os.environ, "PALM_API_PORT": str(port := free_port())},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        _wait_for(f"{base}/openapi.json")
        serving = psutil.Process(server.pid)
        before = peak = serving.memory_info().rss
        rows, started = 0, time.perf_counter()
        headers = {"Authorization": f"Bearer {token}"}
        url = f"{base}/exports/readings.{args.format}"
        with httpx.stream("GET", url, headers=headers, timeout=None) as reply:
            for _line in reply.iter_lines():
                rows += 1
                if rows % 5000 == 0:
                    peak = max(peak, serving.memory_info().rss)
        took = time.perf_counter() - started
        print(f"{args.format}: {rows} lines in {took:.1f} s ({rows / took:,.0f} rows/s)")
        print(
            f"API process RSS before {before / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB "
            f"(+{(peak - before) / 2**20:.0f} MiB while streaming)"
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        runtime.close()
        embedded.stop()


def _wait_for(url: str, timeout: float = 60.0) -> None:
    """Until the API answers (a bench: polling a port that is not up yet is the point)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the API did not answer at {url}")


if __name__ == "__main__":
    main()
