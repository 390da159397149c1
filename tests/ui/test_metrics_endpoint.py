"""/metrics: the console's figures in Prometheus' text format, from the same sources (RQ,
Redis INFO, the jobs and usage tables); loopback only without a token, bearer token with."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.testclient import TestClient

from palm.db import transaction
from palm.jobs import Queues, record_worker_death
from palm.models import UsageRecord, utcnow
from palm.ops import submit_ping
from palm.runtime import reset_runtime
from palm.settings import get_settings
from palm.ui.web import METRICS_PATH, ROUTES
from palm.vocabulary import JobState
from tests.ops.test_queues import add_job
from tests.support.jobs import policy

LOCAL = ("127.0.0.1", 40000)


def client_from(address: tuple[str, int]) -> TestClient:
    return TestClient(Starlette(routes=ROUTES), base_url="http://testserver", client=address)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


@pytest.mark.usefixtures("app_env")
def test_the_figures_come_from_the_queues_tables_and_redis(
    session_factory: sessionmaker[Session], redis_client: Redis
) -> None:
    submit_ping(session_factory, Queues(redis_client), policy(), None)
    record_worker_death(redis_client, "w1.0", now=time.time() - 7200)
    record_worker_death(redis_client, "w2.0", now=time.time())
    with transaction(session_factory) as session:
        for i, run in enumerate([0.3, 4.0, 45.0]):
            add_job(session, f"done-{i}", enqueued_ago=600, wait=2, run=run)
        failed = add_job(session, "bad", state=JobState.FAILED, enqueued_ago=60, wait=1, run=1)
        failed.error_code, failed.error = "NO_HAND", "No hand was found."
        session.add(
            UsageRecord(
                ts=utcnow(),
                provider="openai",
                model="gpt-4o-mini",
                purpose="reading",
                input_tokens=1000,
                cached_tokens=200,
                output_tokens=300,
                cost_usd=2.5,
            )
        )
    response = client_from(LOCAL).get(METRICS_PATH)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    found = samples(response.text)

    def value(name: str, **labels: str) -> float:
        return found[(name, frozenset(labels.items()))]

    assert value("palm_queue_depth", queue="default") == 1
    assert value("palm_queue_registry_jobs", queue="default", registry="failed") == 0
    assert value("palm_job_run_seconds_bucket", queue="analysis", le="0.5") == 1
    assert value("palm_job_run_seconds_bucket", queue="analysis", le="5.0") == 3  # 1 s failed
    assert value("palm_job_run_seconds_bucket", queue="analysis", le="+Inf") == 4
    assert value("palm_job_run_seconds_count", queue="analysis") == 4
    assert value("palm_queue_wait_seconds", queue="analysis", quantile="0.5") == 2
    assert value("palm_queue_oldest_waiting_seconds", queue="default") >= 0
    assert value("palm_llm_month_tokens", model="gpt-4o-mini", kind="cached") == 200
    assert value("palm_llm_month_cost_usd", model="gpt-4o-mini") == 2.5
    assert value("palm_llm_budget_usd") == 50.0 and value("palm_llm_budget_share") == 0.05
    assert value("palm_errors_24h", source="job", code="NO_HAND", location="") == 1
    assert value("palm_worker_deaths", window="1h") == 1
    assert value("palm_worker_deaths", window="24h") == 2
    assert value("palm_redis_up") == 1 and value("palm_redis", figure="used_memory") > 0
    assert ("palm_cache_lookups", frozenset({("cache", "llm_reply"), ("result", "hit")})) in found
    assert value("palm_db_pool", figure="checkouts_per_min") >= 1
    assert "@" not in response.text  # no e-mails


@pytest.mark.usefixtures("app_env")
def test_without_a_token_only_this_machine_may_scrape() -> None:
    response = client_from(("203.0.113.5", 40000)).get(METRICS_PATH)
    assert response.status_code == 403 and "PALM_METRICS_TOKEN" in response.text
    assert client_from(("::ffff:203.0.113.5", 40000)).get(METRICS_PATH).status_code == 403
    for local in ("::1", "::ffff:127.0.0.1"):  # a dual-stack socket's view of IPv4
        assert client_from((local, 40000)).get(METRICS_PATH).status_code == 200


@pytest.fixture
def token_env(
    app_env: dict[str, str],  # noqa: ARG001  (its settings, then the token on top)
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[None]:
    monkeypatch.setenv("PALM_METRICS_TOKEN", "s3cret-token")
    get_settings.cache_clear()
    reset_runtime()
    yield
    get_settings.cache_clear()


@pytest.mark.usefixtures("token_env")
def test_with_a_token_the_scraper_must_send_it() -> None:
    remote = client_from(("203.0.113.5", 40000))
    assert remote.get(METRICS_PATH).status_code == 401
    wrong = {"authorization": "Bearer guess"}
    assert remote.get(METRICS_PATH, headers=wrong).status_code == 401
    right = {"authorization": "Bearer s3cret-token"}
    response = remote.get(METRICS_PATH, headers=right)
    assert response.status_code == 200 and "palm_queue_depth" in response.text
