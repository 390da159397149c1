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
from palm.webhooks.events import export_ready, reading_settled
from palm.webhooks.registry import (
    EVENTS,
    DeliveryInfo,
    EndpointInfo,
    WebhookNotFoundError,
    create_endpoint,
    delete_endpoint,
    deliveries_of,
    list_endpoints,
    rotate_secret,
)
from palm.webhooks.targets import PinnedTarget, WebhookTargetError, check_target, pin_target

__all__ = [
    "EVENTS",
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
    "export_ready",
    "list_endpoints",
    "pin_target",
    "reading_settled",
    "redeliver",
    "rotate_secret",
]
