"""Freed heap memory goes back to the system (palm.infra.release_free_memory)."""

from __future__ import annotations

import subprocess
import sys

#: In a fresh interpreter, so the heap holds only what the script did: ~300 MB in 1 kB
#: allocations (malloc's, not Python's small-object arenas), every 50th kept so the freed ones
#: lie between live ones and the heap cannot simply shrink from its top.
SCRIPT = """
from palm.infra import release_free_memory

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

blocks = [bytes(1000) + i.to_bytes(4, "little") for i in range(300_000)]
kept = blocks[::50]
del blocks
before = rss_mb()
released = release_free_memory()
print(released, before, rss_mb(), len(kept))
"""


def test_memory_freed_between_live_allocations_is_returned_to_the_system() -> None:
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout.split()
    released, before, after = out[0] == "True", float(out[1]), float(out[2])
    assert released  # glibc (Debian)
    assert before - after > 150, (before, after)  # of the ~290 MB freed
