"""Loading and validation: formats normalise to RGB, hostile bytes get a code and nothing else."""

from __future__ import annotations

import io
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image

from palm.vision.arrays import Array
from palm.vision.errors import VisionError, VisionErrorCode
from palm.vision.loading import draft_scale, load_image, sniff_format
from palm.vision.pipeline import analyze_bytes


def _code(data: bytes, max_bytes: int = 20 * 1024 * 1024) -> VisionErrorCode:
    with pytest.raises(VisionError) as info:
        analyze_bytes(data, max_bytes=max_bytes)
    return info.value.code


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares a gigantic image."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


@pytest.fixture
def small_photo(samples) -> Array:
    return np.asarray(Image.fromarray(np.asarray(samples.rgb("palm_m_hanging"))).resize((480, 360)))


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", VisionErrorCode.EMPTY_FILE),
        (b"hello, this is a text file\n" * 10, VisionErrorCode.UNSUPPORTED_FORMAT),
        (
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="900" '
            b'height="900"><circle r="40"/></svg>',
            VisionErrorCode.UNSUPPORTED_FORMAT,
        ),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", VisionErrorCode.UNSUPPORTED_FORMAT),
    ],
    ids=["empty", "text", "svg", "pdf"],
)
def test_hostile_bytes_have_codes(data: bytes, code: VisionErrorCode) -> None:
    assert _code(data) is code


def test_truncated_jpeg_is_corrupt(samples) -> None:
    data = samples.bytes("palm_m_hanging")
    assert _code(data[: len(data) // 3]) is VisionErrorCode.CORRUPT_IMAGE


def test_jpeg_header_only_is_corrupt() -> None:
    assert _code(b"\xff\xd8\xff\xe0" + b"\x00" * 40) is VisionErrorCode.CORRUPT_IMAGE


def test_png_bomb_is_refused_from_its_header() -> None:
    assert _code(png_bomb()) is VisionErrorCode.IMAGE_TOO_LARGE


def test_pixel_cap_just_over_forty_megapixels() -> None:
    assert _code(png_bomb(8000, 5001)) is VisionErrorCode.IMAGE_TOO_LARGE


def test_animated_gif_is_refused() -> None:
    frames = [Image.new("RGB", (400, 400), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    assert _code(buffer.getvalue()) is VisionErrorCode.UNSUPPORTED_FORMAT


def test_animated_png_is_refused() -> None:
    frames = [Image.new("RGB", (400, 400), colour) for colour in ("red", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="PNG", save_all=True, append_images=frames[1:])
    assert _code(buffer.getvalue()) is VisionErrorCode.ANIMATED_IMAGE


def test_file_size_cap_is_a_parameter(samples) -> None:
    data = samples.bytes("palm_m_hanging")
    assert _code(data, max_bytes=len(data) - 1) is VisionErrorCode.FILE_TOO_LARGE
    assert load_image(data, max_bytes=len(data)).rgb.ndim == 3


def test_tiny_image_is_too_small(samples) -> None:
    assert (
        _code(samples.encode(np.zeros((200, 640, 3), np.uint8))) is VisionErrorCode.IMAGE_TOO_SMALL
    )


@pytest.mark.parametrize("fmt", ["PNG", "WEBP", "HEIF", "BMP", "JPEG"])
def test_allowed_formats_decode_to_rgb(fmt: str, small_photo, samples) -> None:
    rgb = small_photo
    loaded = load_image(samples.encode(rgb, fmt))
    assert loaded.rgb.shape == rgb.shape and loaded.rgb.dtype == np.uint8
    assert np.abs(loaded.rgb.astype(int) - rgb).mean() < 6


@pytest.mark.parametrize("mode", ["L", "P", "RGBA", "LA", "CMYK", "I;16"])
def test_modes_normalise_to_rgb(mode: str, small_photo) -> None:
    image = Image.fromarray(small_photo)
    if mode == "I;16":
        grey = np.asarray(image.convert("L"), dtype=np.uint16) * 257
        converted = Image.fromarray(grey)
        fmt = "PNG"
    else:
        converted = image.convert(mode)
        fmt = "JPEG" if mode == "CMYK" else "PNG"
    buffer = io.BytesIO()
    converted.save(buffer, format=fmt)
    loaded = load_image(buffer.getvalue())
    assert loaded.rgb.shape == (360, 480, 3)
    assert 60 < loaded.rgb.mean() < 250  # neither black nor blank: values were scaled right


def test_transparent_pixels_become_white(samples) -> None:
    rgba = np.zeros((360, 480, 4), np.uint8)
    rgba[..., 3] = 0
    loaded = load_image(samples.encode(rgba, "PNG"))
    assert loaded.rgb.min() == 255


def test_exif_orientation_is_applied_and_metadata_dropped(small_photo) -> None:
    rgb = small_photo
    image = Image.fromarray(rgb)
    exif = image.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise on display
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), quality=95)
    loaded = load_image(buffer.getvalue())
    assert (loaded.width, loaded.height) == (360, 480)
    assert loaded.rgb.shape == (480, 360, 3)
    expected = np.rot90(rgb, -1)
    assert np.abs(loaded.rgb.astype(int) - expected).mean() < 8


def test_large_jpeg_is_draft_decoded_but_keeps_original_size(samples) -> None:
    big = Image.fromarray(np.asarray(samples.rgb("palm_m_hanging"))).resize((4000, 3000))
    buffer = io.BytesIO()
    big.save(buffer, format="JPEG", quality=85)
    loaded = load_image(buffer.getvalue())
    assert (loaded.width, loaded.height) == (4000, 3000)
    assert loaded.rgb.shape[1] < 4000 and loaded.scale == pytest.approx(loaded.rgb.shape[1] / 4000)


def test_sniffing_reads_magic_bytes(small_photo, samples) -> None:
    assert sniff_format(samples.encode(small_photo, "PNG")) == "png"
    assert sniff_format(samples.encode(small_photo, "WEBP")) == "webp"
    assert sniff_format(samples.encode(small_photo, "HEIF")) == "heif"
    assert sniff_format(b"GIF89a....") is None


def test_error_carries_message_and_tip() -> None:
    with pytest.raises(VisionError) as info:
        analyze_bytes(b"")
    error = info.value
    assert error.message and error.tip
    assert error.to_dict()["code"] == "EMPTY_FILE"


@pytest.mark.parametrize(
    ("size", "scale"),
    [
        ((4000, 3000), 2),  # 2000x1500
        ((3000, 4000), 2),  # portrait: the short side decides, not the width
        ((4800, 3200), 2),
        ((4000, 2667), 1),  # half would be 1334 px short: too few
        ((2799, 2800), 2),  # libjpeg rounds 1399.5 up to 1400
        ((11200, 2800), 2),  # a panorama is reduced by its short side only
        ((1600, 1067), 1),
    ],
)
def test_draft_scale_keeps_the_short_side_at_1400(size: tuple[int, int], scale: int) -> None:
    assert draft_scale(*size, short_side=1400) == scale


def test_jpeg_is_decoded_at_the_draft_scale(samples) -> None:
    rgb = cv2.resize(samples.rgb("palm_m_hanging"), (3000, 4000))
    loaded = load_image(samples.encode(rgb, "JPEG", quality=85))
    assert loaded.rgb.shape[:2] == (2000, 1500) and loaded.scale == 0.5
