"""REST API latency, in process (the app and its database and Redis; no network): p50/p95
of listing a page, getting a reading and uploading a photo.

    .venv/bin/python bench/api.py [--readings 300] [--rounds 100]

Uses REDIS_URL / DATABASE_URL when set, else an embedded Redis and a temporary SQLite file.
Uploads enqueue jobs that no worker runs (the figure is the request's, not the analysis').
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from fastapi.testclient import TestClient

from palm.accounts import create_token, create_user
from palm.api import create_app
from palm.db import transaction
from palm.infra import start_embedded_redis
from palm.migrate import upgrade_to_head
from palm.runtime import get_runtime
from palm.settings import PROJECT_ROOT, get_settings
from palm.vocabulary import Role

PHOTO = (PROJECT_ROOT / "tests" / "data" / "palms" / "palm_f_hanging.jpg").read_bytes()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def timed(rounds: int, call: Callable[[int], object]) -> list[float]:
    samples = []
    for index in range(rounds):
        began = time.perf_counter()
        call(index)
        samples.append(time.perf_counter() - began)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--readings", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=100)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="palm-bench-api-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'palm.db'}")
    os.environ["PALM_DATA_DIR"] = str(workdir / "data")
    os.environ["PALM_SUBMIT_PER_ACCOUNT"] = os.environ["PALM_SUBMIT_PER_ADDRESS"] = "100000/hour"
    embedded = None
    if not os.environ.get("REDIS_URL"):
        embedded = start_embedded_redis(workdir / "redis", persist=False)
        os.environ["REDIS_URL"] = embedded.url
    get_settings.cache_clear()
    runtime = get_runtime()
    upgrade_to_head(runtime.settings.resolved_database_url, runtime.cipher)
    with transaction(runtime.session_factory) as session:
        user = create_user(session, "bench@example.com", "correct horse battery", Role.USER)
        _, token = create_token(session, user.id, name="bench", scopes=["read", "write"])
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with TestClient(create_app()) as api:

            def upload(index: int) -> int:
                photo = ("palm.jpg", PHOTO + index.to_bytes(4, "big"), "image/jpeg")
                data = {"allow_copies": "true"}
                response = api.post(
                    "/api/v1/readings", headers=headers, files=[("files", photo)], data=data
                )
                assert response.status_code == 202, response.text
                return int(response.json()["items"][0]["reading_id"])

            ids = [upload(i) for i in range(args.readings)]
            uploads = timed(args.rounds, lambda i: upload(args.readings + i))
            pages = timed(
                args.rounds, lambda _i: api.get("/api/v1/readings?limit=50", headers=headers)
            )
            gets = timed(
                args.rounds,
                lambda i: api.get(f"/api/v1/readings/{ids[i % len(ids)]}", headers=headers),
            )
        print(f"{args.readings + args.rounds} readings, {args.rounds} rounds each, in process")
        print(f"list (50 a page)  {percentiles(pages)}")
        print(f"get one reading   {percentiles(gets)}")
        print(f"upload one photo  {percentiles(uploads)}")
    finally:
        runtime.close()
        if embedded is not None:
            embedded.stop()


if __name__ == "__main__":
    main()
