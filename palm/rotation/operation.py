"""``python -m palm rotate-keys``: re-encrypt everything at rest under the newest key, so the
older keys can be retired.

Owns its transactions: one per batch, which rotates the batch and moves that kind's
checkpoint (``key_rotations``) together, so an interrupted run resumes after the last
committed batch, and a kind finished for this key is not redone (``restart`` forces a new
pass). Redis caches are re-encrypted in one SCAN pass per run: they are recomputable, and a
value no key decrypts is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import MultiFernet
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from palm.db import transaction
from palm.explore import rotate_cached_views
from palm.infra import AuditAction, BlobStore, Outcome, record
from palm.models import KeyRotation, utcnow
from palm.readers import rotate_cached_replies
from palm.rotation.kinds import KINDS, Kind
from palm.rotation.passes import remaining, rotate_batch

Report = Callable[[str], None]
DEFAULT_BATCH = 500


@dataclass(frozen=True)
class KindResult:
    kind: str
    done: int
    missing: int
    earlier: bool  # finished by an earlier run for the same key


def rotate_keys(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    redis: Redis | None,
    cipher: MultiFernet,
    key_id: str,
    *,
    batch_size: int = DEFAULT_BATCH,
    restart: bool = False,
    report: Report = print,
) -> list[KindResult]:
    """Every kind of data in turn, then the caches; ``report`` gets a line per batch."""
    if restart:
        with transaction(factory) as session:
            session.execute(delete(KeyRotation).where(KeyRotation.key_id == key_id))
    results = [
        _rotate_kind(factory, blobs, cipher, key_id, kind, batch_size, report) for kind in KINDS
    ]
    _rotate_caches(redis, cipher, report)
    with transaction(factory) as session:
        record(
            session,
            actor="cli",
            action=AuditAction.KEYS_ROTATED,
            outcome=Outcome.OK,
            target=f"key:{key_id}",
            detail=", ".join(f"{r.kind} {r.done}" for r in results),
        )
    return results


def _start(session: Session, key_id: str, kind: Kind) -> KeyRotation:
    checkpoint = session.get(KeyRotation, (key_id, kind.name))
    if checkpoint is None:
        checkpoint = KeyRotation(key_id=key_id, kind=kind.name, last_id=0, done=0)
        session.add(checkpoint)
        session.flush()
    return checkpoint


def _rotate_kind(
    factory: sessionmaker[Session],
    blobs: BlobStore,
    cipher: MultiFernet,
    key_id: str,
    kind: Kind,
    batch_size: int,
    report: Report,
) -> KindResult:
    with transaction(factory) as session:
        checkpoint = _start(session, key_id, kind)
        last_id, done, finished = checkpoint.last_id, checkpoint.done, checkpoint.finished_at
        total = done + (0 if finished else remaining(session, kind, last_id))
    if finished is not None:
        report(f"{kind.name}: all {done} already under key {key_id}")
        return KindResult(kind.name, done, 0, earlier=True)
    if done:
        report(f"{kind.name}: resuming after {done} of {total}")
    missing = 0
    while True:
        with transaction(factory) as session:
            batch = rotate_batch(session, cipher, blobs, kind, last_id, batch_size)
            checkpoint = session.get_one(KeyRotation, (key_id, kind.name))
            checkpoint.last_id, checkpoint.done = batch.last_id, checkpoint.done + batch.rows
            if batch.rows < batch_size:
                checkpoint.finished_at = utcnow()
        last_id, done, missing = batch.last_id, done + batch.rows, missing + batch.missing
        if batch.rows or not done:
            report(f"{kind.name}: {done} of {max(total, done)}")
        if batch.rows < batch_size:
            break
    if missing:
        report(f"{kind.name}: {missing} file(s) already gone (their readings were deleted)")
    return KindResult(kind.name, done, missing, earlier=False)


def _rotate_caches(redis: Redis | None, cipher: MultiFernet, report: Report) -> None:
    if redis is None:
        report("caches: no REDIS_URL, skipped (values no key reads are misses and dropped)")
        return
    for name, rotate in (
        ("cached replies", rotate_cached_replies),
        ("cached views", rotate_cached_views),
    ):
        try:
            result = rotate(redis, cipher)
        except (RedisError, OSError) as error:
            report(f"{name}: Redis unavailable ({type(error).__name__}), skipped")
            continue
        report(f"{name}: {result.rotated} re-encrypted, {result.dropped} unreadable dropped")
