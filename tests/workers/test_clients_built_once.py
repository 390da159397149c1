"""Twenty analysis jobs on one worker build each client once: engine, Redis, blob store,
cipher and LLM client come from the process runtime, never from the job."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import BlobStore, load_cipher
from palm.jobs import DEFAULT_QUEUE, Queues
from palm.models import Reading
from palm.readings import BatchLimits, Upload, submit_batch
from palm.settings import PROJECT_ROOT, Settings
from tests.support.jobs import policy
from tests.support.stub_openai import StubOpenAI
from tests.workers.burst import run_burst_worker

JOBS = 20
PALM = PROJECT_ROOT / "tests" / "data" / "palms" / "palm_m_hanging.jpg"


def test_twenty_jobs_build_each_client_once(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
    stub: StubOpenAI,
    make_account,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = tmp_path / "data"
    store = BlobStore(data_dir / "images", load_cipher(Settings(palm_data_dir=data_dir)))
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    user_id = make_account("ana@example.com")
    limits = BatchLimits(max_files=JOBS, max_bytes=20 * 1024 * 1024, policy=policy())
    batch = submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user_id,
        uploads=[Upload(f"palm-{n}.jpg", PALM.read_bytes()) for n in range(JOBS)],
        analysis_types=["love"],
        limits=limits,
    )
    report = Queue(DEFAULT_QUEUE, connection=redis_client).enqueue(
        "tests.workers.counting_worker.report", result_ttl=600
    )
    result = run_burst_worker(
        redis_url,
        db_url,
        data_dir,
        keep_llm_env=True,
        worker_class="tests.workers.counting_worker.CountingWorker",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    with transaction(session_factory) as session:
        statuses = session.scalars(
            select(Reading.status).where(Reading.id.in_(batch.reading_ids))
        ).all()
    assert statuses == ["done"] * JOBS
    reported = report.latest_result()
    assert reported is not None
    counts = reported.return_value
    assert isinstance(counts, dict)
    assert counts["constructed"] == {
        "Engine": 1,
        "Redis": 1,
        "BlobStore": 1,
        "MultiFernet": 1,
        "OpenAI": 1,
        "Queues": 1,
    }
    assert set(counts["runtime"].values()) == {1}
    assert {"engine", "redis", "blob_store", "cipher", "llm", "reader"} <= set(counts["runtime"])
