"""Sending events: ``emit`` adds a delivery per subscribed endpoint (in the caller's
transaction); ``enqueue`` hands them to RQ after the commit; ``deliver`` (the job) signs and
POSTs one by the Standard Webhooks spec, never following a redirect, and records how it went.
A failed attempt raises, so RQ retries it with backoff; an endpoint whose attempts keep
failing (``max_failures`` in a row) is disabled and its owner told in the audit log."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from palm.db import transaction
from palm.errors import PalmError
from palm.infra import AuditAction, Outcome, record
from palm.jobs import DEFAULT_QUEUE, JobPolicy, JobSpec, Queues, submit
from palm.models import User, WebhookDelivery, WebhookEndpoint, utcnow
from palm.vocabulary import Role
from palm.webhooks.registry import WebhookNotFoundError, owned_endpoint, signing_secrets
from palm.webhooks.targets import PinnedTarget, WebhookTargetError, pin_target


class DeliveryFailedError(PalmError):
    """This attempt failed (RQ tries again under the webhook policy)."""

    retryable = True


@dataclass(frozen=True)
class DeliveryRules:
    allow_private: bool
    max_failures: int


def emit(session: Session, user_id: int, event: str, data: dict[str, Any]) -> list[int]:
    """A pending delivery of ``event`` to each of the user's live endpoints that wants it."""
    endpoints = session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.user_id == user_id, WebhookEndpoint.disabled_at.is_(None)
        )
    )
    return _deliveries(session, endpoints, event, data)


def emit_system(session: Session, event: str, data: dict[str, Any]) -> dict[int, list[int]]:
    """A pending delivery of a system ``event`` to every live endpoint of a current admin
    that wants it: {admin's user id: delivery ids}. An admin demoted since registering, or
    disabled, hears nothing more."""
    endpoints = session.scalars(
        select(WebhookEndpoint)
        .join(User, User.id == WebhookEndpoint.user_id)
        .where(
            WebhookEndpoint.disabled_at.is_(None),
            User.role == Role.ADMIN,
            User.disabled_at.is_(None),
        )
        .order_by(WebhookEndpoint.id)
    )
    created: dict[int, list[int]] = {}
    for endpoint in endpoints:
        for delivery_id in _deliveries(session, [endpoint], event, data):
            created.setdefault(endpoint.user_id, []).append(delivery_id)
    return created


def _deliveries(
    session: Session, endpoints: Iterable[WebhookEndpoint], event: str, data: dict[str, Any]
) -> list[int]:
    body = {"type": event, "timestamp": utcnow().isoformat(), "data": data}
    created = []
    for endpoint in endpoints:
        if event not in endpoint.events:
            continue
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            message_id=f"msg_{uuid.uuid4().hex}",
            event=event,
            payload=json.dumps(body, separators=(",", ":"), default=str),
            status="pending",
            attempts=0,
            created_at=utcnow(),
        )
        session.add(delivery)
        session.flush()
        created.append(delivery.id)
    return created


def enqueue(
    factory: sessionmaker[Session],
    queues: Queues,
    delivery_ids: Sequence[int],
    policy: JobPolicy,
    user_id: int,
) -> None:
    for delivery_id in delivery_ids:
        spec = JobSpec(
            kind="webhook",
            func="workers.jobs.deliver_webhook",
            args=(delivery_id,),
            queue=DEFAULT_QUEUE,
            policy=policy,
        )
        submit(factory, queues, spec, user_id=user_id)


def redeliver(session: Session, user_id: int, delivery_id: int) -> int:
    """Send a logged delivery again (a new attempt of the same message id)."""
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        raise WebhookNotFoundError()
    endpoint = owned_endpoint(session, user_id, delivery.endpoint_id)
    if endpoint.disabled_at is not None:  # asking again is the owner's way to re-enable it
        endpoint.disabled_at, endpoint.failures = None, 0
    delivery.status = "pending"
    return delivery.id


def _post(
    http: httpx.Client, endpoint: WebhookEndpoint, delivery: WebhookDelivery, target: PinnedTarget
) -> int:
    moment = datetime.now(UTC)
    signature = " ".join(
        Webhook(secret).sign(delivery.message_id, moment, delivery.payload)
        for secret in signing_secrets(endpoint)
    )
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
        "host": target.host_header,
    }
    extensions = {"sni_hostname": target.server_name} if target.server_name else None
    response = http.post(
        target.url, content=delivery.payload, headers=headers, extensions=extensions
    )
    return response.status_code


def _attempt(
    http: httpx.Client, endpoint: WebhookEndpoint, delivery: WebhookDelivery, rules: DeliveryRules
) -> tuple[int | None, str | None]:
    try:
        target = pin_target(endpoint.url, allow_private=rules.allow_private)
        code = _post(http, endpoint, delivery, target)
    except WebhookTargetError as error:
        return None, error.code
    except httpx.HTTPError as error:
        return None, type(error).__name__
    return code, None if 200 <= code < 300 else f"HTTP {code}"


def deliver(
    factory: sessionmaker[Session], http: httpx.Client, rules: DeliveryRules, delivery_id: int
) -> None:
    """One attempt of one delivery (the RQ job); raises DeliveryFailedError to be retried."""
    with transaction(factory) as session:
        delivery = session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.status == "delivered":
            return
        endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)
        if endpoint.disabled_at is not None:
            delivery.status, delivery.error = "failed", "ENDPOINT_DISABLED"
            return
        started = time.perf_counter()
        code, problem = _attempt(http, endpoint, delivery, rules)
        delivery.attempts += 1
        delivery.attempted_at = utcnow()
        delivery.latency_ms = round((time.perf_counter() - started) * 1000, 1)
        delivery.response_code, delivery.error = code, problem
        delivery.status = "delivered" if problem is None else "failed"
        endpoint.failures = 0 if problem is None else endpoint.failures + 1
        if endpoint.failures >= rules.max_failures:
            _disable(session, endpoint)
    if problem is not None:
        raise DeliveryFailedError("WEBHOOK_DELIVERY_FAILED", f"delivery {delivery_id}: {problem}")


def _disable(session: Session, endpoint: WebhookEndpoint) -> None:
    endpoint.disabled_at = utcnow()
    owner = session.get(User, endpoint.user_id)
    record(
        session,
        actor=owner.email if owner else f"user:{endpoint.user_id}",
        action=AuditAction.WEBHOOK_DISABLED,
        outcome=Outcome.REJECTED,
        target=f"webhook:{endpoint.id}",
        detail=f"failures={endpoint.failures}",
    )
