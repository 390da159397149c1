"""Webhooks end to end: registered through the API, a reading's events delivered by a real
worker, signed by the Standard Webhooks spec (verified with its own verifier), retried after
a 500, never redirected, private targets refused unless allowed, an endpoint disabled after
its failures and enabled again by a redelivery; other people's ids are 404."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from palm import jobs, privacy, webhooks
from palm.db import transaction
from palm.models import AuditEvent, WebhookEndpoint, utcnow
from palm.runtime import get_runtime, reset_runtime
from palm.settings import get_settings
from palm.ui.notifications import message
from palm.vocabulary import Role
from tests.api.conftest import Caller, MakeCaller
from tests.explore.data import ReadingSpec, add_reading
from tests.support.jobs import policy
from tests.support.receiver import Receiver
from tests.workers.burst import run_burst_worker


@pytest.fixture
def allowed(app_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Loopback targets allowed (the receiver is local), retries at once, 3 failures max."""
    for key, value in {
        "PALM_WEBHOOK_ALLOW_PRIVATE": "1",
        "PALM_WEBHOOK_RETRY_INTERVALS": "0,0",
        "PALM_WEBHOOK_MAX_FAILURES": "3",
    }.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    reset_runtime()
    return app_env


def register(api: TestClient, who: Caller, url: str, events: list[str]) -> dict[str, Any]:
    response = api.post(
        "/api/v1/webhooks", headers=who.headers, json={"url": url, "events": events}
    )
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def settle(factory: sessionmaker[Session], who: Caller, env: dict[str, str]) -> int:
    """A finished reading of ``who``, announced as the worker announces one, then delivered."""
    with transaction(factory) as session:
        reading_id = add_reading(session, ReadingSpec(user_id=who.user_id))
    runtime = get_runtime()
    assert runtime.queues is not None
    policy = jobs.webhook_policy(runtime.settings)
    webhooks.reading_settled(runtime.session_factory, runtime.queues, policy, reading_id)
    run_burst_worker(env["REDIS_URL"], env["DATABASE_URL"], Path(env["PALM_DATA_DIR"]))
    return reading_id


def test_a_private_target_is_refused_unless_allowed(
    api: TestClient, caller: MakeCaller, receiver: Receiver
) -> None:
    response = api.post(
        "/api/v1/webhooks",
        headers=caller().headers,
        json={"url": receiver.url, "events": ["reading.completed"]},
    )
    assert (response.status_code, response.json()["code"]) == (422, "WEBHOOK_TARGET_PRIVATE")
    for url in ("ftp://example.com/x", "http://user:pw@example.com/"):
        bad = api.post(
            "/api/v1/webhooks",
            headers=caller().headers,
            json={"url": url, "events": ["reading.completed"]},
        )
        assert bad.json()["code"] == "WEBHOOK_URL_INVALID"


def test_a_delivery_is_signed_retried_after_a_500_and_logged(
    api: TestClient,
    caller: MakeCaller,
    receiver: Receiver,
    allowed: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    ana = caller()
    created = register(api, ana, receiver.url, ["reading.completed", "batch.completed"])
    secret = str(created["secret"])
    receiver.statuses = [500, 200]
    reading_id = settle(session_factory, ana, allowed)
    reading_hooks = [r for r in receiver.got if b"reading.completed" in r.body]
    assert len(reading_hooks) == 2  # the 500, then the retry
    assert reading_hooks[0].headers["webhook-id"] == reading_hooks[1].headers["webhook-id"]
    for request in receiver.got:
        payload = Webhook(secret).verify(request.body, request.headers)
        assert payload["data"]["batch_id"]
    assert json.loads(reading_hooks[1].body)["data"]["reading_id"] == reading_id
    assert any(b"batch.completed" in r.body for r in receiver.got)
    endpoint = created["endpoint"]
    log = api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries", headers=ana.headers).json()
    reading_log = next(d for d in log if d["event"] == "reading.completed")
    assert (reading_log["status"], reading_log["attempts"], reading_log["response_code"]) == (
        "delivered",
        2,
        200,
    )
    assert reading_log["latency_ms"] is not None


def test_redirects_are_not_followed_and_failures_disable_until_a_redelivery(
    api: TestClient,
    caller: MakeCaller,
    receiver: Receiver,
    allowed: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    ana, ben = caller(), caller()
    created = register(api, ana, receiver.url, ["reading.completed"])
    endpoint_id = created["endpoint"]["id"]
    receiver.statuses = [302]
    settle(session_factory, ana, allowed)  # three attempts: the third failure disables it
    assert {r.path for r in receiver.got} == {"/hook"} and len(receiver.got) == 3
    [listed] = api.get("/api/v1/webhooks", headers=ana.headers).json()
    assert listed["disabled"] is True and listed["failures"] == 3
    with transaction(session_factory) as session:
        actions = list(session.scalars(select(AuditEvent.action)))
    assert "webhook_disabled" in actions
    with transaction(session_factory) as session:  # the owner is told: activity and the bell
        timeline = privacy.activity(session, get_runtime().cipher, ana.user_id)
        ended = jobs.ended_jobs_of(session, ana.user_id)
    assert "A webhook was turned off after failing" in [item.text for item in timeline.items]
    failed = [job for job in ended if job.kind == "webhook" and job.state == "failed"]
    assert failed and message("webhook", "failed")[0] == "A webhook delivery failed."
    [delivery] = api.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=ana.headers).json()
    assert (delivery["status"], delivery["error"]) == ("failed", "HTTP 302")
    url = f"/api/v1/webhooks/deliveries/{delivery['id']}/redeliver"
    assert api.post(url, headers=ben.headers).status_code == 404
    assert (
        api.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=ben.headers).status_code
        == 404
    )
    assert api.delete(f"/api/v1/webhooks/{endpoint_id}", headers=ben.headers).status_code == 404
    receiver.statuses = [200]
    assert api.post(url, headers=ana.headers).status_code == 202
    run_burst_worker(allowed["REDIS_URL"], allowed["DATABASE_URL"], Path(allowed["PALM_DATA_DIR"]))
    [again] = api.get(f"/api/v1/webhooks/{endpoint_id}/deliveries", headers=ana.headers).json()
    assert again["status"] == "delivered"
    assert api.get("/api/v1/webhooks", headers=ana.headers).json()[0]["disabled"] is False
    assert api.delete(f"/api/v1/webhooks/{endpoint_id}", headers=ana.headers).status_code == 204


def test_after_a_rotation_deliveries_verify_with_either_secret_until_the_overlap_ends(
    api: TestClient,
    caller: MakeCaller,
    receiver: Receiver,
    allowed: dict[str, str],
    session_factory: sessionmaker[Session],
) -> None:
    ana, ben = caller(), caller()
    created = register(api, ana, receiver.url, ["reading.completed"])
    endpoint_id, old = created["endpoint"]["id"], str(created["secret"])
    assert api.post(f"/api/v1/webhooks/{endpoint_id}/secret", headers=ben.headers).status_code == (
        404
    )
    rotated = api.post(f"/api/v1/webhooks/{endpoint_id}/secret", headers=ana.headers)
    assert rotated.status_code == 200
    new = str(rotated.json()["secret"])
    assert new != old and rotated.json()["endpoint"]["previous_secret_until"]
    receiver.statuses = [200]
    settle(session_factory, ana, allowed)
    [during] = receiver.got
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        assert Webhook(secret).verify(during.body, during.headers)["type"] == "reading.completed"

    with transaction(session_factory) as session:  # the overlap is over
        endpoint = session.get_one(WebhookEndpoint, endpoint_id)
        endpoint.previous_until = utcnow() - timedelta(seconds=1)
    receiver.got.clear()
    settle(session_factory, ana, allowed)
    [after] = receiver.got
    assert Webhook(new).verify(after.body, after.headers)["type"] == "reading.completed"
    with pytest.raises(WebhookVerificationError):
        Webhook(old).verify(after.body, after.headers)
    [listed] = api.get("/api/v1/webhooks", headers=ana.headers).json()
    assert listed["previous_secret_until"] is None


@pytest.mark.usefixtures("allowed")  # the receiver is on loopback
def test_system_events_are_for_admins_whose_token_has_the_admin_scope(
    api: TestClient, caller: MakeCaller, receiver: Receiver
) -> None:
    body = {"url": receiver.url, "events": ["system.job_failed"]}
    person = api.post("/api/v1/webhooks", headers=caller().headers, json=body)
    assert (person.status_code, person.json()["code"]) == (403, "WEBHOOK_SYSTEM_EVENTS")
    writer_only = caller(Role.ADMIN, ["read", "write"])
    narrow = api.post("/api/v1/webhooks", headers=writer_only.headers, json=body)
    assert (narrow.status_code, narrow.json()["code"]) == (403, "INSUFFICIENT_SCOPE")
    admin = caller(Role.ADMIN)
    created = api.post("/api/v1/webhooks", headers=admin.headers, json=body)
    assert created.status_code == 201
    assert created.json()["endpoint"]["events"] == ["system.job_failed"]


def test_an_admin_hears_a_job_that_failed_for_good_and_nobody_else_does(
    api: TestClient,
    caller: MakeCaller,
    receiver: Receiver,
    allowed: dict[str, str],
) -> None:
    admin, ana = caller(Role.ADMIN), caller()
    secret = str(register(api, admin, receiver.url, ["system.job_failed"])["secret"])
    register(api, ana, receiver.url, list(webhooks.EVENTS))
    runtime = get_runtime()
    assert runtime.queues is not None
    spec = jobs.JobSpec(
        kind="test",
        func="tests.ops.console_jobs.fail_until_marked",
        policy=policy(),  # no retries: the first failure is the last
        args=(str(Path(allowed["PALM_DATA_DIR"]) / "no-marker"),),
    )
    rq_id = jobs.submit(runtime.session_factory, runtime.queues, spec, user_id=ana.user_id)
    run_burst_worker(allowed["REDIS_URL"], allowed["DATABASE_URL"], Path(allowed["PALM_DATA_DIR"]))
    (request,) = receiver.got  # the admin's endpoint, once; the person's hears no system event
    payload = Webhook(secret).verify(request.body, request.headers)
    assert payload["type"] == "system.job_failed"
    assert payload["data"] == {
        "job_id": rq_id,
        "kind": "test",
        "queue": spec.queue,
        "error_code": "JOB_ERROR",
    }
