"""Child processes that never outlive the process that started them."""

from __future__ import annotations

import ctypes
import signal
import sys

PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Runs in a child before exec: Linux sends it SIGTERM when its parent goes away,
    even if the parent was SIGKILLed and had no chance to clean up."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
