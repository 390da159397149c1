"""Giving freed heap memory back to the operating system.

glibc keeps memory a process has freed for its own later use, and returns it to the system
only from the top of the heap. A large load made of many small allocations (the analysts'
mirror fetches millions of rows a chunk at a time) leaves its freed chunks scattered, so the
process's RSS stays at its peak: at 1M readings the mirror's load left ~350 MB of such memory
in a process that kept ~350 MB of columns. ``malloc_trim`` hands those pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        library = ctypes.CDLL(name)
        library.malloc_trim.argtypes = [ctypes.c_size_t]
        library.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS): nothing to do
        return None
    return library


def release_free_memory() -> bool:
    """Return the heap's free pages to the system (glibc's ``malloc_trim(0)``); False where
    the C library has no such call."""
    library = _libc()
    if library is None:
        return False
    library.malloc_trim(0)
    return True
