"""Shared helpers for the chat tests: accounts, finished readings, a cipher, a thread.

Readings are built from the hand-made analyses of tests/support/analyses.py (every line
found on a right fire hand; a left earth hand with fate, sun and mercury not found), stored
the way the analysis worker stores them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.orm import Session

from palm.accounts import users
from palm.chat import threads as chat_threads
from palm.chat import turns as chat_turns
from palm.chat.llm import ChatLLM
from palm.chat.memory import MemoryConfig
from palm.chat.messages import MessageView
from palm.llm import LLM, PriceTable, make_openai_client
from palm.models import Image, Interpretation, Reading
from palm.readers.offline import read_offline
from palm.vision.result import PalmAnalysis
from palm.vocabulary import AnalysisType, ReadingStatus, Role
from tests.support.analyses import make_analysis, make_line
from tests.support.stub_openai import StubOpenAI

CONFIG = MemoryConfig(window_turns=10, budget_tokens=3000)


def cipher() -> MultiFernet:
    return MultiFernet([Fernet(Fernet.generate_key())])


def account(session: Session, email: str) -> int:
    user = users.create_user(session, email, "correct horse battery", Role.USER)
    session.flush()
    return user.id


def right_fire_hand() -> PalmAnalysis:
    return make_analysis(
        [
            make_line("heart", length_rel=1.12, depth=0.52, curvature=0.21, branches=2),
            make_line("head", length_rel=0.98, depth=0.33, curvature=0.1),
            make_line("life", length_rel=1.4, depth=0.48, curvature=0.24, branches=1),
            make_line("fate", length_rel=0.95, depth=0.25, curvature=0.04, start_zone="wrist"),
            make_line("sun", length_rel=0.4, depth=0.18, curvature=0.05),
            make_line("mercury", length_rel=0.7, depth=0.22, curvature=0.12, breaks=1),
        ],
        hand="right",
        element="fire",
    )


def left_earth_hand() -> PalmAnalysis:
    return make_analysis(
        [
            make_line("heart", length_rel=0.6, depth=0.15, curvature=0.03, breaks=1),
            make_line("head", length_rel=0.7, depth=0.3, curvature=0.02, branches=3),
            make_line("life", length_rel=1.0, depth=0.3, curvature=0.12, breaks=2, branches=4),
            make_line("fate", found=False),
            make_line("sun", found=False),
            make_line("mercury", found=False),
        ],
        hand="left",
        element="earth",
    )


def done_reading(
    session: Session,
    user_id: int,
    analysis: PalmAnalysis,
    *,
    filename: str = "palm.jpg",
    created: datetime | None = None,
    types: tuple[AnalysisType, ...] = (AnalysisType.LOVE, AnalysisType.CAREER),
) -> int:
    """A finished reading with stored interpretations for ``types`` (the rest are derived)."""
    sha = f"{user_id:04d}{filename}".ljust(64, "0")[:64]
    image = Image(user_id=user_id, sha256=sha, format="jpeg", byte_size=1, storage_key="0" * 32)
    session.add(image)
    session.flush()
    reading = Reading(
        user_id=user_id,
        image_id=image.id,
        batch_id="b1",
        filename=filename,
        hand_requested="auto",
        hand=analysis.hand,
        analysis_types=[t.value for t in types],
        status=ReadingStatus.DONE,
        engine="offline",
        hand_shape=analysis.hand_shape.element,
        analysis=analysis.to_dict(),
        created_at=created or datetime(2026, 3, 1, 12, tzinfo=UTC),
    )
    session.add(reading)
    session.flush()
    for item in read_offline(analysis, list(types), seed=sha):
        session.add(
            Interpretation(
                reading_id=reading.id,
                analysis_type=item.analysis_type.value,
                title=item.title,
                text=item.text,
                per_line=item.per_line,
                confidence=item.confidence,
                engine=item.engine,
                version=item.table_version or "",
            )
        )
    session.flush()
    return reading.id


def chat_llm_for(
    stub: StubOpenAI,
    *,
    max_retries: int = 0,
    timeout: float = 5.0,
    max_output_tokens: int = 400,
    deadline_seconds: float = 60.0,
) -> ChatLLM:
    client = make_openai_client("test-key", stub.base_url, timeout=timeout)
    return ChatLLM(
        LLM(client, "gpt-4o-mini", prices=PriceTable(), max_retries=max_retries),
        max_output_tokens=max_output_tokens,
        deadline_seconds=deadline_seconds,
    )


@dataclass
class Thread:
    """One user's thread about a right fire hand, with a left earth hand read earlier."""

    session: Session
    cipher: MultiFernet
    user_id: int
    reading_id: int
    conversation_id: int

    def ask(self, text: str, **options: Any) -> MessageView:
        options.setdefault("config", CONFIG)
        return chat_turns.ask(
            self.session, self.cipher, self.user_id, self.conversation_id, text, **options
        )


def make_thread(session: Session, email: str = "ana@example.com") -> Thread:
    key = cipher()
    user_id = account(session, email)
    reading_id = done_reading(session, user_id, right_fire_hand())
    done_reading(
        session,
        user_id,
        left_earth_hand(),
        filename="left.jpg",
        created=datetime(2026, 2, 1, 12, tzinfo=UTC),
    )
    conversation = chat_threads.create_conversation(session, key, user_id, reading_id=reading_id)
    return Thread(session, key, user_id, reading_id, conversation.id)
