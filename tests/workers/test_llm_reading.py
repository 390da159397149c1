"""With OPENAI_BASE_URL set, the worker reads palms through an OpenAI-compatible server
(a local stub here), records usage and cost, caches replies, and forgets them on delete."""

from __future__ import annotations

from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import users
from palm.db import transaction
from palm.infra.crypto import load_cipher
from palm.infra.storage import BlobStore
from palm.jobs import Queues
from palm.models import Reading, UsageRecord
from palm.readers import reply_counters
from palm.readings import BatchLimits, Upload, submit_batch
from palm.readings.operations import remove_reading
from palm.settings import PROJECT_ROOT, Settings
from palm.vocabulary import Role
from tests.support.jobs import policy
from tests.support.stub_openai import StubOpenAI
from tests.workers.burst import run_burst_worker

PALM = PROJECT_ROOT / "tests" / "data" / "palms" / "palm_m_hanging.jpg"
LIMITS = BatchLimits(max_files=5, max_bytes=20 * 1024 * 1024, policy=policy())


def test_llm_readings_record_usage_hit_the_cache_and_are_forgotten_on_delete(
    session_factory: sessionmaker[Session],
    redis_client: Redis,
    redis_url: str,
    db_url: str,
    tmp_path: Path,
    stub: StubOpenAI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data_dir = tmp_path / "data"
    store = BlobStore(data_dir / "images", load_cipher(Settings(palm_data_dir=data_dir)))
    with transaction(session_factory) as session:
        user = users.create_user(session, "ana@example.com", "correct horse battery", Role.USER)
    monkeypatch.setenv("OPENAI_BASE_URL", stub.base_url)
    monkeypatch.setenv("OPENAI_MODEL", "gpt-4o-mini")
    upload = Upload("palm.jpg", PALM.read_bytes())
    for _ in range(2):  # the same photo twice: the second reading comes from the cache
        submit_batch(
            session_factory,
            Queues(redis_client),
            store,
            user_id=user.id,
            uploads=[upload],
            analysis_types=["love", "career"],
            limits=LIMITS,
            allow_copies=True,
        )
        result = run_burst_worker(redis_url, db_url, data_dir, keep_llm_env=True)
        assert result.returncode == 0, result.stderr[-2000:]
    with transaction(session_factory) as session:
        engines = session.scalars(select(Reading.engine).order_by(Reading.id)).all()
        usage = session.scalars(select(UsageRecord).order_by(UsageRecord.id)).all()
        hits = [(u.purpose, u.cache_hit, u.input_tokens > 0, u.cost_usd > 0) for u in usage]
        ids = session.scalars(select(Reading.id)).all()
    assert engines == ["llm:gpt-4o-mini", "llm:gpt-4o-mini"]
    assert len(stub.requests) == 2  # one per analysis type, then none: cache hits
    assert [hit[1] for hit in hits] == [False, False, True, True]
    assert all(tokens and cost for _p, hit, tokens, cost in hits if not hit)
    assert reply_counters(redis_client)["hits"] == 2
    for reading_id in ids:
        remove_reading(session_factory, store, redis_client, user.id, reading_id)
    assert not list(redis_client.scan_iter(match="*entry*"))
