"""Readings are owner-scoped, paginate by keyset without gaps, and delete cleanly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from palm.infra.storage import BlobStore
from palm.models import AuditEvent, Image, Reading
from palm.readings import store as readings


def add(session: Session, user_id: int, created: datetime, image: Image | None = None) -> int:
    reading = readings.add_reading(
        session,
        user_id=user_id,
        batch_id="b",
        filename="p.jpg",
        hand_requested="auto",
        analysis_types=["life"],
        image_id=image.id if image else None,
    )
    reading.created_at = created
    session.flush()
    return reading.id


def stored_image(session: Session, store: BlobStore, user_id: int) -> Image:
    image = Image(
        user_id=user_id,
        sha256="ab" * 32,
        format="jpeg",
        byte_size=3,
        storage_key=store.put(b"jpg"),
        thumbnail_key=store.put(b"thumb"),
    )
    session.add(image)
    session.flush()
    return image


def test_another_users_reading_is_not_found(
    session: Session, make_account: Callable[[str], int]
) -> None:
    ana, ben = make_account("ana@example.com"), make_account("ben@example.com")
    reading_id = add(session, ana, datetime.now(UTC))
    assert readings.get_reading(session, ana, reading_id).id == reading_id
    with pytest.raises(readings.ReadingNotFoundError):
        readings.get_reading(session, ben, reading_id)
    assert readings.list_readings(session, ben) == []
    with pytest.raises(readings.ReadingNotFoundError):
        readings.delete_reading(session, ben, reading_id)


def test_keyset_pages_cover_every_reading_once_even_with_equal_timestamps(
    session: Session, make_account: Callable[[str], int]
) -> None:
    ana = make_account("ana@example.com")
    base = datetime(2026, 1, 1, tzinfo=UTC)
    created = {add(session, ana, base + timedelta(minutes=n // 3)): n // 3 for n in range(11)}
    seen: list[int] = []
    after = None
    while page := readings.list_readings(session, ana, after=after, limit=4):
        seen += [row.id for row in page]
        after = (page[-1].created_at, page[-1].id)
    assert seen == sorted(created, key=lambda i: (created[i], i), reverse=True)


def test_delete_removes_rows_and_returns_every_file_once_unshared(
    session: Session, store: BlobStore, make_account: Callable[[str], int]
) -> None:
    ana = make_account("ana@example.com")
    image = stored_image(session, store, ana)
    first = add(session, ana, datetime.now(UTC), image)
    second = add(session, ana, datetime.now(UTC), image)
    session.get_one(Reading, first).overlay_key = overlay = store.put(b"png")
    assert readings.delete_reading(session, ana, first) == readings.Deletion([overlay], None)
    deletion = readings.delete_reading(session, ana, second)  # the last user of the photo
    assert sorted(deletion.blob_keys) == sorted([image.storage_key, image.thumbnail_key or ""])
    assert deletion.image_sha256 == image.sha256
    assert session.scalar(select(func.count()).select_from(Image)) == 0
    actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-2:] == ["reading_deleted", "reading_deleted"]
