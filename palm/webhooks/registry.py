"""Registering webhook endpoints (the secret shown once), listing them and their delivery
log, removing them. Functions take a Session and never commit."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.errors import PalmError
from palm.models import User, WebhookDelivery, WebhookEndpoint, utcnow
from palm.vocabulary import Role
from palm.webhooks.targets import check_target

#: What an endpoint can subscribe to.
EVENTS = ("reading.completed", "reading.failed", "batch.completed", "export.ready")
#: What an admin's endpoint can also hear: the system's own events (a job that failed for
#: good, a worker that died), never about one person's readings.
SYSTEM_EVENTS = ("system.job_failed", "system.worker_died")
MAX_ENDPOINTS = 10
#: How long the secret before a rotation still signs deliveries beside the new one.
ROTATION_OVERLAP = timedelta(hours=24)


class WebhookNotFoundError(PalmError):
    def __init__(self) -> None:
        super().__init__("WEBHOOK_NOT_FOUND", "That webhook does not exist or is not yours.")


@dataclass(frozen=True)
class EndpointInfo:
    id: int
    url: str
    events: list[str]
    created_at: datetime
    failures: int
    disabled: bool
    #: Until when deliveries also carry the previous secret's signature (None: no rotation).
    previous_secret_until: datetime | None = None


@dataclass(frozen=True)
class DeliveryInfo:
    id: int
    message_id: str
    event: str
    status: str
    attempts: int
    response_code: int | None
    latency_ms: float | None
    error: str | None
    created_at: datetime
    attempted_at: datetime | None


def events_for(role: str) -> tuple[str, ...]:
    """The events a person with ``role`` may subscribe to."""
    return EVENTS + SYSTEM_EVENTS if role == Role.ADMIN else EVENTS


def new_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def endpoint_info(row: WebhookEndpoint) -> EndpointInfo:
    overlap = row.previous_until if row.previous_secret and row.previous_until else None
    return EndpointInfo(
        row.id,
        row.url,
        list(row.events),
        row.created_at,
        row.failures,
        row.disabled_at is not None,
        overlap if overlap is not None and overlap > utcnow() else None,
    )


def signing_secrets(row: WebhookEndpoint) -> list[str]:
    """The secrets a delivery is signed with now: the current one, and during a rotation's
    overlap the previous one too (the Standard Webhooks header carries both)."""
    if row.previous_secret and row.previous_until and row.previous_until > utcnow():
        return [row.secret, row.previous_secret]
    return [row.secret]


def rotate_secret(
    session: Session, user_id: int, endpoint_id: int, *, overlap: timedelta = ROTATION_OVERLAP
) -> tuple[EndpointInfo, str]:
    """A new signing secret (returned once); the one it replaces keeps signing beside it
    for ``overlap``, so the receiver can switch without rejecting a delivery."""
    row = owned_endpoint(session, user_id, endpoint_id)
    row.previous_secret, row.previous_until = row.secret, utcnow() + overlap
    row.secret = new_secret()
    return endpoint_info(row), row.secret


def create_endpoint(
    session: Session, user_id: int, url: str, events: list[str], *, allow_private: bool
) -> tuple[EndpointInfo, str]:
    """A new endpoint of the user's; returns it and its signing secret (shown once). System
    events are for admins only (WEBHOOK_SYSTEM_EVENTS)."""
    offered = events_for(session.get_one(User, user_id).role)
    if set(events) & set(SYSTEM_EVENTS) - set(offered):
        raise PalmError("WEBHOOK_SYSTEM_EVENTS", "Only admins can subscribe to system events.")
    chosen = [event for event in offered if event in set(events)]
    if not chosen or set(events) - set(offered):
        raise PalmError("WEBHOOK_EVENTS", f"Pick events among {', '.join(offered)}.")
    count = select(func.count()).select_from(WebhookEndpoint)
    if (session.scalar(count.where(WebhookEndpoint.user_id == user_id)) or 0) >= MAX_ENDPOINTS:
        raise PalmError("TOO_MANY_WEBHOOKS", f"Remove a webhook first (at most {MAX_ENDPOINTS}).")
    secret = new_secret()
    row = WebhookEndpoint(
        user_id=user_id,
        url=check_target(url, allow_private=allow_private),
        events=chosen,
        secret=secret,
        created_at=utcnow(),
        failures=0,
    )
    session.add(row)
    session.flush()
    return endpoint_info(row), secret


def owned_endpoint(session: Session, user_id: int, endpoint_id: int) -> WebhookEndpoint:
    row = session.scalar(
        select(WebhookEndpoint).where(
            WebhookEndpoint.id == endpoint_id, WebhookEndpoint.user_id == user_id
        )
    )
    if row is None:
        raise WebhookNotFoundError()
    return row


def list_endpoints(session: Session, user_id: int) -> list[EndpointInfo]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.user_id == user_id)
    return [endpoint_info(row) for row in session.scalars(query.order_by(WebhookEndpoint.id))]


def delete_endpoint(session: Session, user_id: int, endpoint_id: int) -> None:
    session.delete(owned_endpoint(session, user_id, endpoint_id))


def deliveries_of(
    session: Session, user_id: int, endpoint_id: int, *, limit: int = 50
) -> list[DeliveryInfo]:
    """The endpoint's latest deliveries, newest first."""
    owned_endpoint(session, user_id, endpoint_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return [
        DeliveryInfo(
            d.id,
            d.message_id,
            d.event,
            d.status,
            d.attempts,
            d.response_code,
            d.latency_ms,
            d.error,
            d.created_at,
            d.attempted_at,
        )
        for d in session.scalars(query)
    ]
