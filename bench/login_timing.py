"""How long a refused sign-in takes for an address with an account and for one without.

    .venv/bin/python bench/login_timing.py [attempts]

Both paths must cost the same (one argon2 verification each), or the time of a refusal tells
whether an address has an account. Prints the median of each path and their ratio; a ratio
near 1 is the goal. Runs on a throw-away SQLite database.
"""

from __future__ import annotations

import contextlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session, sessionmaker

from palm.accounts import AccountError, authenticate, create_user
from palm.db import make_engine, make_session_factory, transaction
from palm.migrate import upgrade_to_head
from palm.vocabulary import Role

KNOWN = "ana@example.com"
UNKNOWN = "nobody@example.com"
PASSWORD = "correct horse battery staple"


def refusal_ms(factory: sessionmaker[Session], email: str) -> float:
    """One refused sign-in (wrong password), in milliseconds; rolled back, so nothing lands."""
    with factory() as session:
        started = time.perf_counter()
        with contextlib.suppress(AccountError):
            authenticate(session, email, "not the password")
        elapsed = time.perf_counter() - started
        session.rollback()
    return elapsed * 1000


def main() -> None:
    attempts = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        upgrade_to_head(url)
        engine = make_engine(url)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            create_user(session, KNOWN, PASSWORD, Role.USER)
        for email in (KNOWN, UNKNOWN):  # warm up both paths
            refusal_ms(factory, email)
        known, unknown = [], []
        for _ in range(attempts):  # interleaved, so drift affects both alike
            known.append(refusal_ms(factory, KNOWN))
            unknown.append(refusal_ms(factory, UNKNOWN))
        engine.dispose()
    known_median, unknown_median = statistics.median(known), statistics.median(unknown)
    print(f"attempts per path       {attempts}")
    print(f"known address, median   {known_median:8.1f} ms")
    print(f"unknown address, median {unknown_median:8.1f} ms")
    print(f"ratio known / unknown   {known_median / unknown_median:8.2f}")


if __name__ == "__main__":
    main()
