"""A provider that accepts the request and never answers: the job ends inside its timeout with
the offline reading, instead of running past it (and being taken by a second worker)."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import users
from palm.db import transaction
from palm.infra import BlobStore, load_cipher
from palm.jobs import Queues
from palm.models import Job, Reading, UsageRecord
from palm.readings import BatchLimits, Upload, submit_batch
from palm.settings import Settings
from palm.vocabulary import JobState, ReadingStatus, Role
from tests.faults.drill import record, small_photo
from tests.support.jobs import policy
from tests.support.stub_openai import Step, StubOpenAI
from tests.workers.burst import run_burst_worker

JOB_TIMEOUT = 20  # seconds; the LLM budget is 60 % of it


def test_a_hung_llm_ends_the_job_within_its_timeout_with_the_offline_reading(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
    stub: StubOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stub.then(*[Step(hang=True)] * 20)
    for key, value in {
        "OPENAI_BASE_URL": stub.base_url,
        "PALM_JOB_TIMEOUT": str(JOB_TIMEOUT),
        "PALM_LLM_TIMEOUT": "30",  # one request alone could outlast the job
        "PALM_LLM_MAX_RETRIES": "2",
    }.items():
        monkeypatch.setenv(key, value)
    data_dir = tmp_path / "data"
    store = BlobStore(data_dir / "images", load_cipher(Settings(palm_data_dir=data_dir)))
    with transaction(session_factory) as session:
        user = users.create_user(session, "ana@example.com", "correct horse battery", Role.USER)
    submit_batch(
        session_factory,
        Queues(redis_client),
        store,
        user_id=user.id,
        uploads=[Upload("palm.jpg", small_photo("palm_m_hanging.jpg"))],
        analysis_types=["full"],
        limits=BatchLimits(max_files=1, max_bytes=10**7, policy=policy(timeout=JOB_TIMEOUT)),
    )
    result = run_burst_worker(redis_url, db_url, data_dir, keep_llm_env=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "JobTimeoutException" not in result.stderr

    with transaction(session_factory) as session:
        reading = session.scalars(select(Reading)).one()
        job = session.scalars(select(Job)).one()
        usage = session.scalars(select(UsageRecord)).all()
        assert (reading.status, reading.engine) == (ReadingStatus.DONE, "offline")
        assert (job.state, job.attempts) == (JobState.FINISHED, 1)  # no timeout, no retry
        assert {u.error_code for u in usage} <= {"LLM_TIMEOUT", "LLM_DEADLINE"}
        assert len(usage) == 5  # one record per type, all fallbacks
        assert job.started_at is not None and job.ended_at is not None
        ran = (job.ended_at - job.started_at).total_seconds()
    assert len(stub.requests) == 1  # the first try took the budget; the rest did not ask
    record(
        "LLM hangs on every request",
        {"job_timeout_s": JOB_TIMEOUT, "job_ran_s": round(ran, 1), "llm_requests": 1, "lost": 0},
    )
