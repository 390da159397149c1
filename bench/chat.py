"""Benchmark of the chat: search over 10k encrypted messages, and prompt size per turn.

Run: ``python bench/chat.py [--messages 10000] [--database-url URL]`` (default: a temporary
SQLite file). Prints figures; asserts nothing.

- search: one user, 10k messages in 20 threads. "cold" is the first search of a process (the
  per-user index is built: fetch + decrypt everything), "warm" the following searches (one
  generation query + an in-memory scan), "after a new message" the incremental refresh.
- prompt tokens: a 200-turn offline thread; the request the LLM would get at turns 10, 50
  and 200 (the stub server's estimator: ~4 characters a token).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet, MultiFernet  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from palm.accounts import users  # noqa: E402
from palm.chat import answer as chat_answer  # noqa: E402
from palm.chat import threads as chat_threads  # noqa: E402
from palm.chat import turns as chat_turns  # noqa: E402
from palm.chat.memory import MemoryConfig  # noqa: E402
from palm.chat.sealing import seal  # noqa: E402
from palm.chat.search import SearchFilters, SearchIndex  # noqa: E402
from palm.db import make_engine, make_session_factory  # noqa: E402
from palm.llm import estimate_input_tokens  # noqa: E402
from palm.migrate import upgrade_to_head  # noqa: E402
from palm.models import Message, Reading  # noqa: E402
from palm.vision.result import HandShape, LineResult, PalmAnalysis  # noqa: E402
from palm.vocabulary import ReadingStatus, Role  # noqa: E402

_WORDS_TEXT = (
    "heart head life fate sun mercury line palm curve branch career love balance energy "
    "travel garden music family friend river mountain orchid tulip summer winter morning "
    "letter journey promise change patience courage laughter window harbour lantern"
)
WORDS = _WORDS_TEXT.split()
QUESTIONS = ("What does my heart line say?", "and my career?", "Sum up my reading")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def sample_reading(session: Session, user_id: int) -> int:
    lines = {
        name: LineResult(name, True, [[1, 1], [9, 9]], 1.0, 0.3, 0.1, 0, 1, "", "", 0.8)
        for name in ("heart", "head", "life", "fate", "sun", "mercury")
    }
    analysis = PalmAnalysis(
        "vision-1.0", "right", "palm", 1200, 1600, lines, HandShape("fire", 1.5, 0.9), [[0, 0]] * 21
    )
    reading = Reading(
        user_id=user_id,
        batch_id="bench",
        filename="bench.jpg",
        hand="right",
        analysis_types=["love"],
        status=ReadingStatus.DONE,
        hand_shape="fire",
        analysis=analysis.to_dict(),
    )
    session.add(reading)
    session.flush()
    return reading.id


def fill_messages(session: Session, key: MultiFernet, user_id: int, total: int) -> list[int]:
    """``total`` messages over 20 threads, random sentences, one rare word in the oldest."""
    rng = random.Random(7)
    threads = [
        chat_threads.create_conversation(
            session, key, user_id, title=f"Thread {n}", folder=f"f{n % 3}"
        )
        for n in range(20)
    ]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for index in range(total):
        words = rng.choices(WORDS, k=rng.randint(12, 60))
        if index == 0:
            words.append("zanzibar")
        text = " ".join(words).capitalize() + "."
        thread = threads[index % len(threads)]
        rows.append(
            Message(
                conversation_id=thread.id,
                user_id=user_id,
                role="user" if index % 2 else "assistant",
                content_token=seal(key, text),
                input_tokens=0,
                output_tokens=0,
                suggestions=[],
                created_at=start + timedelta(minutes=index),
            )
        )
    session.add_all(rows)
    session.flush()
    return [thread.id for thread in threads]


def bench_search(session: Session, key: MultiFernet, user_id: int, total: int) -> None:
    threads = fill_messages(session, key, user_id, total)
    index = SearchIndex()
    rng = random.Random(11)
    cold = timed(lambda: index.search(session, key, user_id, "zanzibar"))
    found = index.search(session, key, user_id, "zanzibar")
    queries = [" ".join(rng.sample(WORDS, k=rng.choice((1, 2)))) for _ in range(60)]
    folder = SearchFilters(folder="f1")

    def run(query: str, filters: SearchFilters | None = None) -> Callable[[], object]:
        return lambda: index.search(session, key, user_id, query, filters)

    warm = [timed(run(q)) for q in queries]
    filtered = [timed(run(q, folder)) for q in queries]
    rare = [timed(lambda: index.search(session, key, user_id, "zanzibar")) for _ in range(30)]
    chat_turns.ask(
        session, key, user_id, threads[0], "A new message about zanzibar", config=MemoryConfig()
    )
    refresh = timed(lambda: index.search(session, key, user_id, "zanzibar"))
    print(f"search over {total} messages of one user (20 threads):")
    print(
        f"  cold (build the index: fetch + decrypt all)  {cold:8.1f} ms  "
        f"(found the oldest message: {any(h.role for h in found)})"
    )
    print(
        f"  warm, common words (≤50 hits)  p50 {statistics.median(warm):6.1f} ms  "
        f"p95 {percentile(warm, 0.95):6.1f} ms"
    )
    print(
        f"  warm, + folder filter          p50 {statistics.median(filtered):6.1f} ms  "
        f"p95 {percentile(filtered, 0.95):6.1f} ms"
    )
    print(
        f"  warm, rare word (full scan)    p50 {statistics.median(rare):6.1f} ms  "
        f"p95 {percentile(rare, 0.95):6.1f} ms"
    )
    print(f"  after a new message (incremental refresh)    {refresh:8.1f} ms")


def bench_prompt(session: Session, key: MultiFernet, user_id: int, config: MemoryConfig) -> None:
    reading_id = sample_reading(session, user_id)
    conversation = chat_threads.create_conversation(session, key, user_id, reading_id=reading_id)
    sizes: dict[int, int] = {}
    chat_turns.ask(
        session, key, user_id, conversation.id, "My name is Ana and I grow orchids.", config=config
    )
    for turn in range(2, 201):
        plan = chat_turns.start_turn(
            session, key, user_id, conversation.id, QUESTIONS[turn % 3], config=config
        )
        sizes[turn] = estimate_input_tokens(plan.messages)
        chat_turns.finish_turn(session, key, plan, chat_answer.AnswerStream(plan, None).run())
    figures = "  ".join(f"turn {t}: {sizes[t]}" for t in (10, 50, 200))
    print(
        f"prompt tokens (window {config.window_turns} turns, budget {config.budget_tokens}): "
        f"{figures}  (max {max(sizes.values())})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{directory}/bench.db"
        upgrade_to_head(url)
        key = MultiFernet([Fernet(Fernet.generate_key())])
        factory = make_session_factory(make_engine(url, cipher=key))
        with factory() as session:
            stamp = int(time.time())
            searcher = users.create_user(session, f"search{stamp}@example.com", "x" * 12, Role.USER)
            talker = users.create_user(session, f"talk{stamp}@example.com", "x" * 12, Role.USER)
            session.flush()
            bench_search(session, key, searcher.id, args.messages)
            for config in (MemoryConfig(6, 3000), MemoryConfig(10, 3000)):
                bench_prompt(session, key, talker.id, config)
            session.rollback()


if __name__ == "__main__":
    main()
