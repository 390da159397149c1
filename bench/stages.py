"""Where one inline analysis spends its time: the functions run_analysis calls, wrapped with a
clock that counts each stage's own time (a nested stage's time is not counted twice).

Used by bench/pipeline.py. The wrappers cost about a microsecond a call; the split is per
photo, medians over the inline photos; OTHER is whatever no stage claims.
"""

from __future__ import annotations

import functools
import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, cast

from cryptography.fernet import MultiFernet
from sqlalchemy.orm import Session

import palm.readings.analysis as analysis
import palm.readings.operations as operations
import palm.readings.rollups as rollups
from palm.infra import LocalFolder

ENGINE = "engine (decode + vision)"
#: Wall: untimed steps, less the overlay's overlap (it can go below 0). CPU: untimed steps
#: and the engine's own threads (MediaPipe, OpenCV), which the engine row does not see.
OTHER = "other (see bench/stages.py)"
#: (owner, attribute, stage): what run_analysis calls, by where it looks the name up.
PATCHES: list[tuple[Any, str, str]] = [
    (analysis, "load_input", "database reads"),
    (analysis, "run_vision", ENGINE),
    (analysis, "palm_crop", "palm crop (LLM input)"),
    (operations, "interpret", "interpretation"),
    (operations, "render_overlay_jpeg", "overlay (draw + JPEG)"),
    (analysis, "encode_image", "thumbnail"),
    (MultiFernet, "encrypt", "encryption"),
    (MultiFernet, "decrypt", "decryption"),
    (LocalFolder, "write", "blob writes"),
    (LocalFolder, "read", "blob reads"),
    (analysis, "store_results", "database writes"),
    (rollups, "apply", "rollups"),
    (rollups, "snapshot", "rollups"),
    (Session, "commit", "commits"),
    (operations, "invalidate_user", "cache generation bump"),
]


class StageClock:
    """Exclusive wall and CPU time per stage, per photo, in the thread that ran it (the
    overlay is encoded on a second thread, overlapping the rest of the save). The CPU column
    holds up when other work shares the machine; the wall column is latency. A photo's
    totals are the process's (every thread, the engine's own included)."""

    def __init__(self) -> None:
        self.photos: list[dict[str, tuple[float, float]]] = []
        self.current: defaultdict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.lock = threading.Lock()
        self.local = threading.local()  # per thread: wall and CPU of open stages' children

    def _nested(self) -> list[list[float]]:
        if not hasattr(self.local, "nested"):
            self.local.nested = []
        return cast(list[list[float]], self.local.nested)

    def timed(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            nested = self._nested()
            nested.append([0.0, 0.0])
            wall, cpu = time.perf_counter(), time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent = (time.perf_counter() - wall, time.thread_time() - cpu)
                children = nested.pop()
                with self.lock:
                    for index in (0, 1):
                        self.current[stage][index] += spent[index] - children[index]
                for index in (0, 1):
                    if nested:
                        nested[-1][index] += spent[index]

        return wrapper

    @contextmanager
    def installed(self) -> Iterator[None]:
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in PATCHES]
        for owner, name, stage in PATCHES:
            setattr(owner, name, self.timed(stage, getattr(owner, name)))
        try:
            yield
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)

    def photo(self, run: Callable[[], None]) -> tuple[float, float]:
        """Run one analysis, keep its split; returns its wall and CPU time."""
        self.current = defaultdict(lambda: [0.0, 0.0])
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        spent = (time.perf_counter() - wall, time.process_time() - cpu)
        for index in (0, 1):
            claimed = sum(times[index] for times in self.current.values())
            self.current[OTHER][index] += spent[index] - claimed
        self.photos.append({stage: (t[0], t[1]) for stage, t in self.current.items()})
        return spent

    def medians(self, index: int) -> dict[str, float]:
        """Per stage, the median over photos of its wall (0) or CPU (1) time."""
        stages = {stage for split in self.photos for stage in split}
        return {
            stage: statistics.median(p.get(stage, (0.0, 0.0))[index] for p in self.photos)
            for stage in stages
        }

    def table(self) -> str:
        wall, cpu = self.medians(0), self.medians(1)
        total = sum(cpu.values())
        lines = [f"  {'stage':<28} {'wall':>8} {'CPU':>8}  CPU share"]
        for stage in sorted(cpu, key=lambda name: -cpu[name]):
            lines.append(
                f"  {stage:<28} {wall[stage] * 1000:5.1f} ms {cpu[stage] * 1000:5.1f} ms"
                f"  {cpu[stage] / total:5.1%}"
            )
        return "\n".join(lines)

    def non_vision(self, index: int) -> float:
        """The named stages but the engine, summed (thread time: overlap counts in full)."""
        medians = self.medians(index)
        return sum(value for stage, value in medians.items() if stage not in (ENGINE, OTHER))
