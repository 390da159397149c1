"""/api/v1/webhooks: register endpoints for my events (the signing secret shown once), list
and remove them, read their delivery log, send a delivery again."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from palm import jobs, webhooks
from palm.api.deps import Reader, RuntimeDep, Writer
from palm.api.problems import ApiError, responses
from palm.api.readings import PREFIX
from palm.db import transaction
from palm.vocabulary import Role, TokenScope

router = APIRouter(prefix=PREFIX, tags=["webhooks"])
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class NewEndpoint(BaseModel):
    url: str = Field(max_length=2048, examples=["https://example.com/palmline"])
    events: list[str] = Field(min_length=1, max_length=10, examples=[["reading.completed"]])


class CreatedEndpoint(BaseModel):
    endpoint: webhooks.EndpointInfo
    secret: str = Field(description="whsec_…: verify signatures with it; shown only now")


class Redelivery(BaseModel):
    delivery_id: int


@router.post(
    "/webhooks", status_code=201, summary="Register a webhook endpoint", responses=responses(422)
)
def create(owner: Writer, rt: RuntimeDep, body: NewEndpoint) -> CreatedEndpoint:
    """Deliveries follow the Standard Webhooks spec (webhook-id, webhook-timestamp,
    webhook-signature); private and loopback targets are refused. The system events
    (``system.job_failed``, ``system.worker_died``) are for admins whose token has the
    ``admin`` scope (else 403 WEBHOOK_SYSTEM_EVENTS / INSUFFICIENT_SCOPE)."""
    system = set(body.events) & set(webhooks.SYSTEM_EVENTS)
    if system and owner.role == Role.ADMIN and TokenScope.ADMIN not in owner.scopes:
        raise ApiError("INSUFFICIENT_SCOPE", "System events need a token with the admin scope.")
    with transaction(rt.session_factory) as session:
        info, secret = webhooks.create_endpoint(
            session,
            owner.user_id,
            body.url,
            body.events,
            allow_private=rt.settings.palm_webhook_allow_private,
        )
    return CreatedEndpoint(endpoint=info, secret=secret)


@router.post(
    "/webhooks/{endpoint_id}/secret",
    summary="Rotate its signing secret (the old one keeps signing for 24 h)",
    responses=responses(404),
)
def rotate(owner: Writer, rt: RuntimeDep, endpoint_id: RowId) -> CreatedEndpoint:
    """A new secret, shown once. For the next 24 hours every delivery carries two
    signatures in ``webhook-signature`` (new and old, space-separated, as the Standard
    Webhooks spec allows), so a receiver verifies with either while it switches."""
    with transaction(rt.session_factory) as session:
        info, secret = webhooks.rotate_secret(session, owner.user_id, endpoint_id)
    return CreatedEndpoint(endpoint=info, secret=secret)


@router.get("/webhooks", summary="My webhook endpoints")
def list_all(owner: Reader, rt: RuntimeDep) -> list[webhooks.EndpointInfo]:
    with transaction(rt.session_factory) as session:
        return webhooks.list_endpoints(session, owner.user_id)


@router.delete(
    "/webhooks/{endpoint_id}", status_code=204, summary="Remove one", responses=responses(404)
)
def remove(owner: Writer, rt: RuntimeDep, endpoint_id: RowId) -> Response:
    with transaction(rt.session_factory) as session:
        webhooks.delete_endpoint(session, owner.user_id, endpoint_id)
    return Response(status_code=204)


@router.get(
    "/webhooks/{endpoint_id}/deliveries", summary="Its delivery log", responses=responses(404)
)
def deliveries(owner: Reader, rt: RuntimeDep, endpoint_id: RowId) -> list[webhooks.DeliveryInfo]:
    with transaction(rt.session_factory) as session:
        return webhooks.deliveries_of(session, owner.user_id, endpoint_id)


@router.post(
    "/webhooks/deliveries/{delivery_id}/redeliver",
    status_code=202,
    summary="Send a delivery again (re-enables a disabled endpoint)",
    responses=responses(404, 503),
)
def redeliver(owner: Writer, rt: RuntimeDep, delivery_id: RowId) -> Redelivery:
    if rt.queues is None:
        raise ApiError("QUEUE_UNAVAILABLE", "The job queue is not configured (REDIS_URL).")
    with transaction(rt.session_factory) as session:
        webhooks.redeliver(session, owner.user_id, delivery_id)
    policy = jobs.webhook_policy(rt.settings)
    webhooks.enqueue(rt.session_factory, rt.queues, [delivery_id], policy, owner.user_id)
    return Redelivery(delivery_id=delivery_id)
