"""Benchmark of encryption at rest: key rotation throughput, and what decryption adds to reads.

Run: ``python bench/rotation.py [--photos 200] [--messages 5000] [--database-url URL]``
(default: a temporary SQLite file and blob directory; no Redis, so the caches are skipped).
Prints figures; asserts nothing.

- rotation: N photos (a real 60 KB palm photo each, a 15 KB thumbnail, a 300 KB overlay),
  N finished readings (six lines of 60 points, two interpretations) and M chat messages, all
  written under key A, then ``rotate_keys`` with "B,A"; items/s per kind and overall.
- read path: the median time to load 50 readings with their lines and texts through the
  sealed column types, against the same rows' raw tokens without decryption, and a history
  page (50 rows) — the difference is what decryption costs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.fernet import Fernet, MultiFernet  # noqa: E402
from sqlalchemy import Text, select, table  # noqa: E402
from sqlalchemy import column as sql_column  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from palm.accounts import users  # noqa: E402
from palm.chat import create_conversation, seal  # noqa: E402
from palm.db import make_engine, make_session_factory, transaction  # noqa: E402
from palm.explore import ExploreFilter, Viewer  # noqa: E402
from palm.explore.history import history_page  # noqa: E402
from palm.infra import BlobStore  # noqa: E402
from palm.migrate import upgrade_to_head  # noqa: E402
from palm.models import Image, Interpretation, LineResult, Message, Reading  # noqa: E402
from palm.rotation import rotate_keys  # noqa: E402
from palm.vocabulary import LINE_NAMES, Role  # noqa: E402

PHOTO = (ROOT / "tests" / "data" / "palms" / "palm_f_hanging.jpg").read_bytes()
KEY_A, KEY_B = Fernet(Fernet.generate_key()), Fernet(Fernet.generate_key())


def analysis(rng: random.Random) -> dict[str, object]:
    """About the size of a real stored analysis: 21 landmarks, six traced lines."""
    points = [[rng.randrange(2000), rng.randrange(2000)] for _ in range(60)]
    return {
        "version": "vision-1.0",
        "landmarks": [[rng.uniform(0, 2000), rng.uniform(0, 2000)] for _ in range(21)],
        "lines": {name: {"points": points, "length_rel": 0.8} for name in LINE_NAMES},
    }


def fill(factory: sessionmaker[Session], store: BlobStore, photos: int, messages: int) -> None:
    rng = random.Random(7)
    with transaction(factory) as session:
        user = users.create_user(
            session, "bench@example.com", "correct horse battery", Role.USER
        ).id
        for n in range(photos):
            image = Image(
                user_id=user,
                sha256=f"{n:064d}",
                format="jpeg",
                byte_size=len(PHOTO),
                storage_key=store.put(PHOTO),
                thumbnail_key=store.put(rng.randbytes(15_000)),
            )
            session.add(image)
            session.flush()
            reading = Reading(
                user_id=user,
                image_id=image.id,
                batch_id="bench",
                filename=f"palm-{n}.jpg",
                status="done",
                hand="left",
                summary="Left hand, water shape; lines: heart, head, life.",
                analysis=analysis(rng),
                overlay_key=store.put(rng.randbytes(300_000)),
            )
            session.add(reading)
            session.flush()
            for name in LINE_NAMES:
                line = [[rng.randrange(2000), rng.randrange(2000)] for _ in range(60)]
                session.add(LineResult(reading_id=reading.id, line=name, found=True, polyline=line))
            for kind in ("love", "career"):
                words = " ".join(rng.choices(["warm", "steady", "bold", "calm"], k=60))
                per_line = {"heart": words[:120], "head": words[:120]}
                session.add(
                    Interpretation(
                        reading_id=reading.id,
                        analysis_type=kind,
                        title=kind.title(),
                        text=words,
                        per_line=per_line,
                        engine="offline",
                    )
                )
        thread = create_conversation(session, MultiFernet([KEY_A]), user, title="Bench")
        cipher = MultiFernet([KEY_A])
        session.add_all(
            Message(
                conversation_id=thread.id,
                user_id=user,
                role="user" if n % 2 else "assistant",
                content_token=seal(cipher, " ".join(rng.choices(["palm", "line", "why"], k=40))),
            )
            for n in range(messages)
        )


def bench_rotation(factory: sessionmaker[Session], store: BlobStore, cipher: MultiFernet) -> None:
    stamps: dict[str, list[float]] = {}
    counts: dict[str, int] = {}

    def report(line: str) -> None:
        kind, _, rest = line.partition(": ")
        stamps.setdefault(kind, []).append(time.perf_counter())
        if " of " in rest:
            counts[kind] = int(rest.split(" of ")[0].split()[-1])

    started = time.perf_counter()
    rotate_keys(factory, store, None, cipher, "bench-b", batch_size=500, report=report)
    elapsed = time.perf_counter() - started
    previous = started
    print("rotation (batches of 500):")
    for kind, n in counts.items():
        seconds = stamps[kind][-1] - previous
        previous = stamps[kind][-1]
        print(f"  {kind:16} {n:7,} in {seconds:6.2f} s  {n / seconds:9,.0f} items/s")
    total = sum(counts.values())
    print(f"  {'all':16} {total:7,} in {elapsed:6.2f} s  {total / elapsed:9,.0f} items/s")


def median_ms(work: Callable[[], object], runs: int = 25) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


SEALED = {
    "readings": (Reading.id, Reading.filename, Reading.summary, Reading.analysis),
    "line_results": (LineResult.id, LineResult.polyline),
    "interpretations": (Interpretation.id, Interpretation.text, Interpretation.per_line),
}


def _raw(columns: tuple[Any, ...], owner: str) -> Any:
    """The same columns as plain TEXT (the stored tokens, not decrypted), and the owner id."""
    name = columns[0].class_.__tablename__
    plain = {c.key for c in columns} - {"id", owner}
    return table(name, sql_column("id"), sql_column(owner), *(sql_column(c, Text) for c in plain))


def bench_reads(factory: sessionmaker[Session]) -> None:
    ids = list(range(1, 51))
    owner = {"readings": "id", "line_results": "reading_id", "interpretations": "reading_id"}

    def load(decrypt: bool) -> Callable[[], None]:
        def run() -> None:
            with factory() as session:
                for name, columns in SEALED.items():
                    if decrypt:
                        key = columns[0].class_.__table__.c[owner[name]]
                        query = select(*columns).where(key.in_(ids))
                    else:
                        raw = _raw(columns, owner[name])
                        query = select(*raw.c).where(raw.c[owner[name]].in_(ids))
                    session.execute(query).all()

        return run

    def orm() -> None:
        with factory() as session:
            session.scalars(select(Reading).where(Reading.id.in_(ids))).all()
            session.scalars(select(LineResult).where(LineResult.reading_id.in_(ids))).all()
            session.scalars(select(Interpretation).where(Interpretation.reading_id.in_(ids))).all()

    def page(criteria: ExploreFilter) -> Callable[[], None]:
        def run() -> None:
            with factory() as session:
                history_page(session, Viewer(1, Role.USER), criteria)

        return run

    sealed_ms, raw_ms = median_ms(load(True)), median_ms(load(False))
    print("read path, 50 readings with their 300 lines and 100 texts (medians of 25 runs):")
    print(f"  sealed columns, decrypted and parsed:  {sealed_ms:6.2f} ms")
    print(f"  the same columns as raw tokens:        {raw_ms:6.2f} ms")
    print(f"  decryption (+ JSON parsing) adds:      {sealed_ms - raw_ms:6.2f} ms")
    print(f"  the whole ORM rows:                    {median_ms(orm):6.2f} ms")
    print(f"  history page (50 rows):                {median_ms(page(ExploreFilter())):6.2f} ms")
    searched = median_ms(page(ExploreFilter(text="steady")), 5)
    print(f"  history page, text filter, all texts:  {searched:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{directory}/bench.db"
        upgrade_to_head(url)
        old = MultiFernet([KEY_A])
        engine = make_engine(url, cipher=old)
        started = time.perf_counter()
        fill(
            make_session_factory(engine),
            BlobStore(Path(directory) / "images", old),
            args.photos,
            args.messages,
        )
        print(
            f"{engine.dialect.name}: written under key A in {time.perf_counter() - started:.1f} s"
        )
        engine.dispose()
        both = MultiFernet([KEY_B, KEY_A])
        engine = make_engine(url, cipher=both)
        factory = make_session_factory(engine)
        bench_rotation(factory, BlobStore(Path(directory) / "images", both), both)
        bench_reads(factory)
        engine.dispose()


if __name__ == "__main__":
    main()
