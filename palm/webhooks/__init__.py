"""Webhooks: endpoints a person registers for their events, deliveries signed by the
Standard Webhooks spec and sent by RQ jobs with retries, a delivery log, redelivery."""

from palm.webhooks.delivery import (
    DeliveryFailedError,
    DeliveryRules,
    deliver,
    emit,
    enqueue,
    redeliver,
)
from palm.webhooks.events import export_ready, reading_settled, system_event
from palm.webhooks.registry import (
    EVENTS,
    SYSTEM_EVENTS,
    DeliveryInfo,
    EndpointInfo,
    WebhookNotFoundError,
    create_endpoint,
    delete_endpoint,
    deliveries_of,
    events_for,
    list_endpoints,
    rotate_secret,
)
from palm.webhooks.targets import PinnedTarget, WebhookTargetError, check_target, pin_target

__all__ = [
    "EVENTS",
    "SYSTEM_EVENTS",
    "DeliveryFailedError",
    "DeliveryInfo",
    "DeliveryRules",
    "EndpointInfo",
    "PinnedTarget",
    "WebhookNotFoundError",
    "WebhookTargetError",
    "check_target",
    "create_endpoint",
    "delete_endpoint",
    "deliver",
    "deliveries_of",
    "emit",
    "enqueue",
    "events_for",
    "export_ready",
    "list_endpoints",
    "pin_target",
    "reading_settled",
    "redeliver",
    "rotate_secret",
    "system_event",
]
