"""Job functions that misbehave on purpose (imported by real workers in the tests)."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from palm.errors import PalmError
from palm.vocabulary import Progress
from workers.tracking import tracked


@tracked
def kill_own_work_horse(*, progress: Progress) -> None:
    """Dies like an out-of-memory kill would: no exception, no cleanup."""
    progress("about to die", 0.3)
    os.kill(os.getpid(), signal.SIGKILL)


@tracked
def raise_coded_error(*, progress: Progress) -> None:
    progress("working", 0.2)
    raise PalmError("BROKEN_PHOTO", "The photo could not be read.")


@tracked
def kill_while_analysing(_reading_id: int, *, progress: Progress) -> None:
    """Stands in for an analysis whose process is killed mid-way."""
    progress("lines", 0.4)
    os.kill(os.getpid(), signal.SIGKILL)


@tracked
def die_once(marker: str, *, progress: Progress) -> str:
    """Killed (SIGKILL, the whole worker: jobs run in-process) on its first run only."""
    progress("working", 0.3)
    if not Path(marker).exists():
        Path(marker).write_text("died here once")
        os.kill(os.getpid(), signal.SIGKILL)
    return "survived"


@tracked
def raise_unexpected_error(*, progress: Progress) -> None:
    progress("working", 0.2)
    raise ValueError("a bug, not a bad photo")
