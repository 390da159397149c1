"""A reading's overlay as people take it away: stored as JPEG, handed out as PNG, and a
stored file that is gone or holds no picture is a coded error, not a crash."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from palm.errors import PalmError
from palm.infra import BlobStore
from palm.readings import overlay_png


def _jpeg(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[:, : width // 2] = (230, 25, 75)
    Image.fromarray(pixels).save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def test_a_stored_jpeg_overlay_is_handed_out_as_a_png_of_the_same_size(store: BlobStore) -> None:
    key = store.put(_jpeg(64, 48))
    with Image.open(io.BytesIO(overlay_png(store, key))) as picture:
        assert (picture.format, picture.size) == ("PNG", (64, 48))


def test_a_stored_file_that_is_no_picture_is_overlay_unreadable(store: BlobStore) -> None:
    key = store.put(b"\xff\xd8\xff but the rest is not a JPEG")
    with pytest.raises(PalmError) as refused:
        overlay_png(store, key)
    assert refused.value.code == "OVERLAY_UNREADABLE"


def test_a_missing_overlay_is_blob_missing(store: BlobStore) -> None:
    with pytest.raises(PalmError) as refused:
        overlay_png(store, BlobStore.new_key())
    assert refused.value.code == "BLOB_MISSING"
