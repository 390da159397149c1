"""What produces events: a reading that settled (done or failed) and, with the last one of
its batch, the batch; an export that is ready. Each emits in its own transaction and
enqueues after the commit; ``batch.completed`` is claimed once in Redis (two photos settling
together announce it once)."""

from __future__ import annotations

from typing import Any

from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm import readings
from palm.db import transaction
from palm.jobs import JobPolicy, Queues
from palm.models import Reading, WebhookEndpoint
from palm.vocabulary import SETTLED_STATUSES, ReadingStatus
from palm.webhooks.delivery import emit, emit_system, enqueue

BATCH_CLAIM = "palm:webhook:batch:"
CLAIM_SECONDS = 7 * 24 * 3600


def _wants(session: Session, user_id: int, event: str) -> bool:
    """Whether a live endpoint of the user's hears ``event`` (nothing else is worked out)."""
    live = select(WebhookEndpoint.events).where(
        WebhookEndpoint.user_id == user_id, WebhookEndpoint.disabled_at.is_(None)
    )
    return any(event in events for events in session.scalars(live))


def _batch_done(session: Session, redis: Redis, reading: Reading) -> list[int]:
    if not _wants(session, reading.user_id, "batch.completed"):
        return []  # no claim key either: nothing of the person's is left in Redis for nothing
    items = readings.batch_progress(session, reading.user_id, reading.batch_id)
    if not items or any(item.status not in SETTLED_STATUSES for item in items):
        return []
    if not redis.set(BATCH_CLAIM + reading.batch_id, 1, nx=True, ex=CLAIM_SECONDS):
        return []
    done = sum(item.status == ReadingStatus.DONE for item in items)
    data = {"batch_id": reading.batch_id, "total": len(items), "done": done}
    return emit(session, reading.user_id, "batch.completed", data)


def reading_settled(
    factory: sessionmaker[Session], queues: Queues, policy: JobPolicy, reading_id: int
) -> int:
    """Announce a reading that is done or failed (and its batch, if it was the last);
    returns how many deliveries were queued."""
    with transaction(factory) as session:
        reading = session.get(Reading, reading_id)
        if reading is None or reading.status not in SETTLED_STATUSES:
            return 0
        done = reading.status == ReadingStatus.DONE
        data = {
            "reading_id": reading.id,
            "batch_id": reading.batch_id,
            "status": reading.status,
            "error_code": reading.error_code,
            "url": f"/api/v1/readings/{reading.id}",
        }
        created = emit(
            session, reading.user_id, "reading.completed" if done else "reading.failed", data
        )
        created += _batch_done(session, queues.redis, reading)
        user_id = reading.user_id
    enqueue(factory, queues, created, policy, user_id)
    return len(created)


def export_ready(
    factory: sessionmaker[Session], queues: Queues, policy: JobPolicy, user_id: int
) -> int:
    with transaction(factory) as session:
        created = emit(
            session, user_id, "export.ready", {"download": "/api/v1/account/export/download"}
        )
    enqueue(factory, queues, created, policy, user_id)
    return len(created)


def system_event(
    factory: sessionmaker[Session],
    queues: Queues,
    policy: JobPolicy,
    event: str,
    data: dict[str, Any],
) -> int:
    """Announce a system event to the admins' endpoints that hear it; how many deliveries."""
    with transaction(factory) as session:
        created = emit_system(session, event, data)
    for admin_id, delivery_ids in created.items():
        enqueue(factory, queues, delivery_ids, policy, admin_id)
    return sum(len(ids) for ids in created.values())
