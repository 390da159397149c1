"""Bytes → validated, upright RGB array. Refuses anything that is not a still photo we can read.

Checks run cheapest first: size of the bytes, magic bytes, the header's declared dimensions
(decompression bombs fail here, before any pixel is decoded), then the decode itself.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Final

import numpy as np
from PIL import Image, ImageOps

from palm.vision import thresholds as th
from palm.vision.arrays import Array
from palm.vision.errors import VisionError, VisionErrorCode

_HEIF_BRANDS: Final = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
#: Pillow format names we decode, keyed by our sniffed kind.
_PIL_FORMATS: Final = {
    "jpeg": "JPEG",
    "png": "PNG",
    "webp": "WEBP",
    "heif": "HEIF",
    "bmp": "BMP",
}
_heif_registered = False


@dataclass(frozen=True)
class LoadedImage:
    """A decoded photo: ``rgb`` (H×W×3 uint8, EXIF-upright, maybe reduced by JPEG draft decode).

    ``width``/``height`` are the upright dimensions of the original file; result coordinates are
    in that space. ``scale`` is ``rgb`` pixels per original pixel (≤ 1).
    """

    rgb: Array
    format: str
    width: int
    height: int
    scale: float


def sniff_format(data: bytes) -> str | None:
    """Our name for the container, from its magic bytes, or None when not on the allow-list."""
    if data[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "heif"
    if data[:2] == b"BM":
        return "bmp"
    return None


def _register_heif() -> None:
    """Teach Pillow HEIC/HEIF once per process (pillow-heif is optional at import time)."""
    global _heif_registered
    if _heif_registered:
        return
    import pillow_heif

    pillow_heif.register_heif_opener()
    _heif_registered = True


def _open_checked(data: bytes, kind: str) -> Image.Image:
    """Open the header only and check the declared size against the caps."""
    if kind == "heif":
        _register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[_PIL_FORMATS[kind]])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise VisionError(VisionErrorCode.IMAGE_TOO_LARGE) from exc
    except Exception as exc:  # Pillow raises many types for damaged headers
        raise VisionError(VisionErrorCode.CORRUPT_IMAGE) from exc
    width, height = image.size
    if width * height > th.MAX_PIXELS:
        raise VisionError(VisionErrorCode.IMAGE_TOO_LARGE)
    if min(width, height) < th.MIN_SHORT_SIDE:
        raise VisionError(VisionErrorCode.IMAGE_TOO_SMALL)
    if getattr(image, "n_frames", 1) > 1 and kind != "heif":
        raise VisionError(VisionErrorCode.ANIMATED_IMAGE)
    return image


def draft_scale(width: int, height: int, short_side: int = th.DRAFT_SHORT_SIDE) -> int:
    """The largest JPEG DCT reduction (1, 2, 4 or 8) that keeps the decoded short side, which
    libjpeg rounds up, at least ``short_side`` pixels."""
    for scale in (8, 4, 2):
        if -(-min(width, height) // scale) >= short_side:
            return scale
    return 1


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """Declared size after the EXIF orientation is applied."""
    width, height = image.size
    orientation = image.getexif().get(0x0112, 1)
    return (height, width) if orientation in (5, 6, 7, 8) else (width, height)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Normalise every mode (CMYK, 16-bit, palette, alpha, grey) to 8-bit RGB on white."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        array = np.asarray(image, dtype=np.float64)
        peak = 65535.0 if array.max() > 255 else 255.0
        grey = np.clip(array * (255.0 / peak), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8)).convert("RGB")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        image.mode == "P" and "transparency" in image.info
    )
    if has_alpha:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def load_image(data: bytes, *, max_bytes: int = th.MAX_FILE_BYTES) -> LoadedImage:
    """Validate and decode photo bytes; raise :class:`VisionError` with a load code otherwise."""
    if not data:
        raise VisionError(VisionErrorCode.EMPTY_FILE)
    if len(data) > max_bytes:
        raise VisionError(
            VisionErrorCode.FILE_TOO_LARGE,
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.",
        )
    kind = sniff_format(data)
    if kind is None:
        raise VisionError(VisionErrorCode.UNSUPPORTED_FORMAT)
    image = _open_checked(data, kind)
    width, height = _upright_size(image)
    try:
        reduction = draft_scale(*image.size) if kind == "jpeg" else 1
        if reduction > 1:
            # Pillow picks the largest reduction with both sides at least the requested size.
            image.draft("RGB", (image.size[0] // reduction, image.size[1] // reduction))
        image.load()
        needs_turn = image.getexif().get(0x0112, 1) not in (0, 1)
        upright = (ImageOps.exif_transpose(image) or image) if needs_turn else image
        rgb_image = _to_rgb(upright)
    except VisionError:
        raise
    except Exception as exc:  # truncated or damaged pixel data
        raise VisionError(VisionErrorCode.CORRUPT_IMAGE) from exc
    rgb = np.ascontiguousarray(np.asarray(rgb_image, dtype=np.uint8))
    scale = rgb.shape[1] / width
    return LoadedImage(rgb=rgb, format=kind, width=width, height=height, scale=scale)
