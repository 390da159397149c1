"""Export my data: one job per person at a time builds their zip (palm.privacy.archive); the
zip waits sealed in Redis for 24 hours (Redis deletes it then) and every step is audited.

Keys: ``palm:export:job:<user id>`` (the RQ id of their export, "pending" while it is being
queued) and ``palm:export:data:<user id>`` (the sealed zip), both expiring after 24 h.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography.fernet import MultiFernet
from redis import Redis
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.infra import (
    ActionLimits,
    AuditAction,
    BlobStore,
    Outcome,
    enforce,
    open_value,
    record,
    seal_value,
)
from palm.jobs import DEFAULT_QUEUE, JobNotFoundError, JobPolicy, JobSpec, Queues, get_job, submit
from palm.models import User
from palm.privacy.archive import build_archive
from palm.vocabulary import JobFailure, JobState, Progress

EXPORT_SECONDS = 24 * 3600
JOB_PREFIX = "palm:export:job:"
DATA_PREFIX = "palm:export:data:"
PENDING = "pending"


@dataclass(frozen=True)
class ExportStatus:
    state: str  # "none", or the job's JobState
    progress: float = 0.0
    stage: str = ""
    ready_until: datetime | None = None
    error: str | None = None

    @property
    def busy(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.STARTED, JobState.RETRYING)

    @property
    def ready(self) -> bool:
        return self.ready_until is not None


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _audit(factory: sessionmaker[Session], user_id: int, action: AuditAction, detail: str) -> None:
    with transaction(factory) as session:
        user = session.get(User, user_id)
        name = user.email if user else f"user:{user_id}"
        record(session, actor=name, action=action, outcome=Outcome.OK, target=name, detail=detail)


def export_status(session: Session, redis: Redis, user_id: int) -> ExportStatus:
    ttl = int(redis.ttl(DATA_PREFIX + str(user_id)))
    until = datetime.now(UTC) + timedelta(seconds=ttl) if ttl > 0 else None
    raw = redis.get(JOB_PREFIX + str(user_id))
    if raw is None:
        return ExportStatus("none", ready_until=until)
    rq_id = _text(raw)
    if rq_id == PENDING:
        return ExportStatus(JobState.QUEUED, ready_until=until)
    try:
        job = get_job(session, rq_id)
    except JobNotFoundError:
        return ExportStatus("none", ready_until=until)
    return ExportStatus(job.state, job.progress, job.stage, until, _told(job.error_code, job.error))


def _told(code: str | None, error: str | None) -> str | None:
    """What the person is told of a failed export: a coded error's message, never an
    unexpected exception's type, text or source location (those are for the console)."""
    if error is None:
        return None
    if code is None or code == JobFailure.JOB_ERROR:
        return "something went wrong on our side"
    return error.splitlines()[0]


def request_export(
    factory: sessionmaker[Session],
    queues: Queues,
    *,
    user_id: int,
    policy: JobPolicy,
    rate: ActionLimits | None = None,
    address: str = "",
) -> str:
    """Queue the person's export, or return the one already queued, running or ready: a
    second click makes no second job. Returns the RQ id."""
    redis, key = queues.redis, JOB_PREFIX + str(user_id)
    with transaction(factory) as session:
        status = export_status(session, redis, user_id)
    current = redis.get(key)
    if current is not None and (status.busy or status.ready):
        return _text(current)
    if current is not None:
        redis.delete(key)  # the last one failed: a new one may start
    if not redis.set(key, PENDING, nx=True, ex=EXPORT_SECONDS):
        return _text(redis.get(key) or PENDING)  # another tab's click won the race
    try:
        enforce(factory, rate, user_id=user_id, address=address)
        spec = JobSpec(
            kind="export",
            func="workers.jobs.export_account",
            args=(user_id,),
            queue=DEFAULT_QUEUE,
            policy=policy,
        )
        rq_id = submit(factory, queues, spec, user_id=user_id)
    except BaseException:
        redis.delete(key)
        raise
    redis.set(key, rq_id, ex=EXPORT_SECONDS)
    redis.delete(DATA_PREFIX + str(user_id))  # a new export replaces an older zip
    _audit(factory, user_id, AuditAction.EXPORT_REQUESTED, f"job={rq_id}")
    return rq_id


def run_export(
    factory: sessionmaker[Session],
    redis: Redis,
    blobs: BlobStore,
    cipher: MultiFernet,
    user_id: int,
    progress: Progress | None = None,
) -> int:
    """Build the zip and keep it sealed for 24 h; returns its size in bytes. An account
    deleted meanwhile gets no zip."""
    now = datetime.now(UTC)
    with transaction(factory) as session:
        if session.get(User, user_id) is None:
            return 0
        data = build_archive(
            session, blobs, cipher, user_id, when=f"{now:%Y-%m-%d %H:%M}", progress=progress
        )
    key = DATA_PREFIX + str(user_id)
    redis.set(key, seal_value(cipher, data), ex=EXPORT_SECONDS)
    with transaction(factory) as session:
        gone = session.get(User, user_id) is None
    if gone:
        redis.delete(key)
        return 0
    _audit(factory, user_id, AuditAction.EXPORT_READY, f"bytes={len(data)}")
    return len(data)


def fetch_export(redis: Redis, cipher: MultiFernet, user_id: int) -> bytes | None:
    """The person's zip while it is kept, else None."""
    token = redis.get(DATA_PREFIX + str(user_id))
    return open_value(cipher, token) if isinstance(token, bytes) else None
