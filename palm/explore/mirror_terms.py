"""The blind-index terms of the mirrored readings (``reading_terms``, palm.readings.terms), by
term: what lets the mirror answer a text search with the other filters in one mask.

Loaded as one sorted run per term of reading positions (CSR: ``keys``, ``offsets``,
``postings``). A reading whose texts changed after the load keeps its new terms in
``changed`` and is marked ``overridden``, so its old postings no longer count; the runs are
rebuilt when that overlay grows large. Only the terms (HMACs) are held, never a word.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

Positions = npt.NDArray[np.int64]
#: Readings in the overlay beyond which the runs are rebuilt with them.
REBUILD_AFTER = 20_000


class Terms:
    """Which reading positions have which terms."""

    def __init__(self, terms: npt.NDArray[np.int64], positions: Positions, size: int) -> None:
        """From (term, position) pairs, one per posting."""
        order = np.lexsort((positions, terms))
        sorted_terms = terms[order]
        self.keys, starts = np.unique(sorted_terms, return_index=True)
        self.offsets = np.r_[starts, len(sorted_terms)].astype(np.int64)
        self.postings = positions[order].astype(np.int32)  # half the memory of int64
        self.overridden = np.zeros(size, np.bool_)
        self.changed: dict[int, frozenset[int]] = {}

    @classmethod
    def empty(cls, size: int) -> Terms:
        return cls(np.zeros(0, np.int64), np.zeros(0, np.int64), size)

    def having(self, term: int, size: int) -> npt.NDArray[np.bool_]:
        """The positions (of ``size``) whose reading has the term."""
        self._cover(size)
        mask = np.zeros(size, np.bool_)
        at = int(np.searchsorted(self.keys, term))
        if at < len(self.keys) and self.keys[at] == term:
            mask[self.postings[self.offsets[at] : self.offsets[at + 1]]] = True
        mask &= ~self.overridden[:size]
        for position, terms in self.changed.items():
            mask[position] = term in terms
        return mask

    def replace(self, terms_of: Mapping[int, frozenset[int]], size: int) -> None:
        """New terms for these positions (their readings' texts changed, or they are new)."""
        self._cover(size)
        for position, terms in terms_of.items():
            self.overridden[position] = True
            self.changed[position] = terms

    def pairs(self) -> tuple[npt.NDArray[np.int64], Positions]:
        """(term, position) of every posting in force, the overlay's included."""
        terms = np.repeat(self.keys, np.diff(self.offsets))
        keep = ~self.overridden[self.postings] if len(self.postings) else np.zeros(0, np.bool_)
        extra = [(t, p) for p, terms_ in self.changed.items() for t in terms_]
        extra_terms = np.array([t for t, _ in extra], np.int64)
        extra_positions = np.array([p for _, p in extra], np.int64)
        return np.r_[terms[keep], extra_terms], np.r_[self.postings[keep], extra_positions]

    def remapped(self, new_of_old: Positions, size: int) -> Terms:
        """The terms after a compaction (``new_of_old[p]``: p's new position, -1: dropped)."""
        terms, positions = self.pairs()
        moved = new_of_old[positions] if len(positions) else positions
        kept = moved >= 0
        return Terms(terms[kept], moved[kept], size)

    def folded(self, size: int) -> Terms:
        """The overlay folded into the runs, once it is large (REBUILD_AFTER)."""
        if len(self.changed) <= REBUILD_AFTER:
            return self
        return Terms(*self.pairs(), size)

    def _cover(self, size: int) -> None:
        if len(self.overridden) < size:
            grown = np.zeros(size, np.bool_)
            grown[: len(self.overridden)] = self.overridden
            self.overridden = grown


def group_terms(rows: Sequence[tuple[int, int]], positions: Positions) -> dict[int, frozenset[int]]:
    """(reading position → its terms) from ``(reading_id, term)`` rows and their positions."""
    grouped: dict[int, set[int]] = {}
    for (_, term), position in zip(rows, positions, strict=True):
        if position >= 0:
            grouped.setdefault(int(position), set()).add(int(term))
    return {position: frozenset(terms) for position, terms in grouped.items()}
