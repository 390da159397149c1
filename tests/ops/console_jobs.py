"""Job functions for the console's tests (imported by real workers)."""

from __future__ import annotations

from pathlib import Path

from palm.vocabulary import Progress
from workers.tracking import tracked


@tracked
def fail_until_marked(marker: str, *, progress: Progress) -> str:
    """Fails with an unexpected exception until ``marker`` exists, then succeeds."""
    progress("working", 0.5)
    if not Path(marker).exists():
        raise RuntimeError("the marker file is missing")
    return "ran"
