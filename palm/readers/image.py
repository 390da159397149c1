"""Shrinks the palm crop before it goes to the LLM: at "low" detail a 512 px image is billed a
flat ~85 tokens, and a small JPEG keeps the request light."""

from __future__ import annotations

import base64
import io

from PIL import Image, UnidentifiedImageError

#: Longest side sent; "low" detail looks at 512 × 512 at most, palm creases survive 384 px.
MAX_SIDE = 384
JPEG_QUALITY = 80


def palm_crop_data_url(jpeg: bytes, *, max_side: int = MAX_SIDE) -> str | None:
    """A ``data:image/jpeg;base64,…`` URL of the downscaled crop, or None if it isn't an image."""
    try:
        with Image.open(io.BytesIO(jpeg)) as image:
            image.draft("RGB", (max_side, max_side))
            small = image.convert("RGB")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    small.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
