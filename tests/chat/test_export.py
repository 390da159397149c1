"""Exports parse: JSON loads, Markdown has every message, the PDF opens with pages and the
reading's overlay image; another user's thread cannot be exported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from limits.storage import RedisStorage
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from palm.chat import export as chat_export
from palm.chat import operations as chat_operations
from palm.chat import pdf as chat_pdf
from palm.chat import threads as chat_threads
from palm.chat.threads import ConversationNotFoundError
from palm.db import transaction
from palm.infra import ActionLimits, RateLimitedError, RateLimiter
from palm.infra.storage import BlobStore
from palm.models import AuditEvent, Reading
from palm.vocabulary import Guarded
from tests.chat.support import account, make_thread

QUESTIONS = ("My name is Zoë — “hi”!", "What does my heart line say?", "and the left hand?")


def overlay_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (200, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    from tests.chat.support import cipher

    return BlobStore(tmp_path / "images", cipher())


def test_json_and_markdown_hold_every_message(session: Session) -> None:
    thread = make_thread(session)
    for question in QUESTIONS:
        thread.ask(question)
    threads = chat_export.collect(session, thread.cipher, thread.user_id)
    document = json.loads(chat_export.to_json(threads))
    assert document["format"] == chat_export.EXPORT_FORMAT
    messages = document["threads"][0]["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * 3
    assert messages[0]["text"] == QUESTIONS[0]
    markdown = chat_export.to_markdown(threads)
    for message in threads[0].messages:
        assert message.text in markdown
    assert markdown.count("**You** ·") == 3 and markdown.count("**Reader** ·") == 3


def test_pdf_opens_with_pages_and_the_overlay(session: Session, store: BlobStore) -> None:
    thread = make_thread(session)
    for question in QUESTIONS:
        thread.ask(question)
    session.get_one(Reading, thread.reading_id).overlay_key = store.put(overlay_png())
    blank = chat_threads.create_conversation(session, thread.cipher, thread.user_id)
    threads = chat_export.collect(session, thread.cipher, thread.user_id)
    overlays = chat_export.overlays_for(threads, store)
    assert list(overlays) == [thread.reading_id]
    pdf = PdfReader(io.BytesIO(chat_pdf.to_pdf(threads, overlays)))
    assert len(pdf.pages) >= 2  # the thread starts on the first page, the blank one after
    first_page = pdf.pages[0].extract_text()
    assert "Palmline conversations" in first_page and "What does my heart line say?" in first_page
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert "What does my heart line say?" in text and "Zoë" in text
    assert sum(len(page.images) for page in pdf.pages) == 1
    assert blank.id in [t.id for t in threads]


def test_one_thread_only_and_never_someone_elses(session: Session) -> None:
    thread = make_thread(session)
    thread.ask("Hello")
    other = chat_threads.create_conversation(session, thread.cipher, thread.user_id)
    one = chat_export.collect(session, thread.cipher, thread.user_id, [thread.conversation_id])
    assert [t.id for t in one] == [thread.conversation_id] != [other.id]
    eve = account(session, "eve@example.com")
    with pytest.raises(ConversationNotFoundError):
        chat_export.collect(session, thread.cipher, eve, [thread.conversation_id])
    assert chat_export.collect(session, thread.cipher, eve) == []


def test_exports_over_the_limit_are_refused_and_audited(
    session_factory: sessionmaker[Session], redis_url: str, store: BlobStore
) -> None:
    with transaction(session_factory) as session:
        thread = make_thread(session)
        thread.ask("Hello")
    rate = ActionLimits(
        Guarded.EXPORT, per_address=RateLimiter(RedisStorage(redis_url), "2/hour", "test-export")
    )

    def export(kind: str) -> bytes:
        return chat_operations.export_file(
            session_factory,
            thread.cipher,
            store,
            thread.user_id,
            None,
            kind,
            rate=rate,
            address="192.0.2.1",
        )

    assert json.loads(export("json"))["threads"] and b"Hello" in export("md")
    with pytest.raises(RateLimitedError) as raised:
        export("pdf")
    assert raised.value.message.startswith("Too many downloads from this network;")
    with transaction(session_factory) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert event is not None and event.action == "rate_limited"
        assert event.target == "chat-export:pdf"
