"""A person's timeline gathers their audit events, readings and chats, newest first, never
anyone else's, filtered by kind and date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session

from palm import chat
from palm.accounts import AccountError, authenticate, change_email, users
from palm.models import Reading
from palm.privacy import activity

PASSWORD = "correct horse battery"


def test_the_timeline_tells_sign_ins_readings_chats_and_changes_newest_first(
    session: Session, cipher: MultiFernet
) -> None:
    ana = users.sign_up(session, "ana@example.com", PASSWORD)
    users.sign_up(session, "ben@example.com", PASSWORD)
    authenticate(session, "ana@example.com", PASSWORD)
    with pytest.raises(AccountError):
        authenticate(session, "ana@example.com", "wrong")
    authenticate(session, "ben@example.com", PASSWORD)
    done = datetime.now(UTC) + timedelta(seconds=5)
    reading = Reading(
        user_id=ana.id, batch_id="b", filename="palm.jpg", status="done", finished_at=done
    )
    session.add(reading)
    session.flush()
    chat.create_conversation(session, cipher, ana.id, title="About love")
    change_email(session, ana.id, "ana.new@example.com", PASSWORD)
    session.flush()
    timeline = activity(session, cipher, ana.id)
    texts = [item.text for item in timeline.items]
    assert texts[0] == "Reading of palm.jpg ready"
    assert {
        "Account created",
        "Signed in",
        "A sign-in failed",
        "Uploaded palm.jpg",
        "E-mail address changed",
        "Chat “About love” (0)",
    } <= set(texts)
    assert timeline.total == len(texts) == 7  # nothing of Ben's
    assert [i.ts for i in timeline.items] == sorted((i.ts for i in timeline.items), reverse=True)
    sign_ins = activity(session, cipher, ana.id, kinds={"sign_in"})
    assert [item.text for item in sign_ins.items] == ["A sign-in failed", "Signed in"]
    tomorrow = date.today() + timedelta(days=2)
    assert activity(session, cipher, ana.id, start=tomorrow).total == 0
    assert activity(session, cipher, ana.id, per_page=3, page=9).page == 3  # clamped
