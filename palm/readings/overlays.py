"""A reading's overlay as people take it away. Readings store the overlay as a JPEG (about
2 ms to encode at analysis time, where a PNG took 20–30 ms of every photo); the download
button, the API and the data export hand out a PNG made from it only when asked for."""

from __future__ import annotations

from palm.errors import PalmError
from palm.infra import BlobStore
from palm.vision import as_png


def overlay_png(blobs: BlobStore, key: str) -> bytes:
    """The stored overlay as PNG bytes (a PNG stored by older readings is returned as is).
    Raises ``PalmError``: the store's when the file is missing, ``OVERLAY_UNREADABLE`` when
    it holds no image."""
    try:
        return as_png(blobs.get(key))
    except ValueError as error:
        raise PalmError(
            "OVERLAY_UNREADABLE", "The annotated photo of this reading cannot be read."
        ) from error
