"""Draw found lines on the photo: a JPEG to store (a PNG for export) and a Plotly figure for
the app.

Both take the decoded RGB array (``load_image(data).rgb``, possibly draft-reduced) and the
analysis; polylines are rescaled from original-photo coordinates to the array's size.
"""

from __future__ import annotations

import base64
import io

import cv2
import numpy as np
import plotly.graph_objects as go
from PIL import Image

from palm.vision.arrays import Array
from palm.vision.result import LineResult, PalmAnalysis
from palm.vocabulary import ZONE_LABELS

#: One colour per line (RGB), chosen to stay distinct on light and dark skin.
LINE_COLOURS: dict[str, tuple[int, int, int]] = {
    "heart": (230, 25, 75),
    "head": (60, 180, 75),
    "life": (0, 130, 200),
    "fate": (145, 30, 180),
    "sun": (255, 200, 0),
    "mercury": (0, 210, 210),
}
MAX_OVERLAY_SIDE = 1024


def _scaled_points(line: LineResult, analysis: PalmAnalysis, shape: tuple[int, ...]) -> Array:
    factor = np.array([shape[1] / analysis.width, shape[0] / analysis.height])
    points: Array = np.asarray(line.points, dtype=np.float64).reshape(-1, 2) * factor
    return points


def downscaled(image_rgb: Array, max_side: int = MAX_OVERLAY_SIDE) -> Array:
    """The photo with its long side ≤ max_side (default: the overlay's size), to draw on or
    to thumbnail from.

    Bilinear for the usual ≤ 2× reduction (about 1 ms for 1600 → 1024 px, where INTER_AREA's
    fractional path took 15–20 ms; at ≤ 2× bilinear samples every source pixel); INTER_AREA,
    which averages, only when the photo is more than twice the size (1024 → 256 px, the
    thumbnail, is its fast integer path: ~1–2 ms, Pillow's thumbnail took 3–5)."""
    scale = max_side / max(image_rgb.shape[:2])
    if scale >= 1.0:
        return np.ascontiguousarray(image_rgb.copy())
    method = cv2.INTER_LINEAR if scale >= 0.5 else cv2.INTER_AREA
    return cv2.resize(image_rgb, None, fx=scale, fy=scale, interpolation=method)


def draw_legend(canvas: Array, names: list[str], thickness: int) -> None:
    font, font_scale = cv2.FONT_HERSHEY_SIMPLEX, max(0.45, canvas.shape[1] / 1400)
    line_height = int(26 * font_scale / 0.6)
    width = int(130 * font_scale / 0.6)
    top_left, bottom_right = (8, 8), (8 + width, 12 + line_height * len(names))
    patch = canvas[top_left[1] : bottom_right[1], top_left[0] : bottom_right[0]]
    patch[:] = (patch * 0.35 + 255 * 0.65).astype(np.uint8)
    for i, name in enumerate(names):
        y = top_left[1] + line_height * (i + 1) - 4
        colour = LINE_COLOURS.get(name, (0, 0, 0))
        cv2.line(canvas, (16, y - 5), (40, y - 5), colour, thickness + 1, cv2.LINE_AA)
        cv2.putText(canvas, name, (48, y), font, font_scale, (20, 20, 20), 1, cv2.LINE_AA)


def render_overlay(
    image_rgb: Array,
    analysis: PalmAnalysis,
    max_side: int = MAX_OVERLAY_SIDE,
    legend: bool = True,
) -> Array:
    """The photo (long side ≤ max_side) with each found line drawn in its colour + a legend."""
    canvas = downscaled(image_rgb, max_side)
    thickness = max(2, round(max(canvas.shape[:2]) / 300))
    drawn: list[str] = []
    for name, line in analysis.lines.items():
        if not line.found or len(line.points) < 2:
            continue
        points = np.round(_scaled_points(line, analysis, canvas.shape)).astype(np.int32)
        width = max(1, thickness - 1) if line.faint else thickness  # a faint line, drawn thinner
        cv2.polylines(canvas, [points], False, (255, 255, 255), width + 2, cv2.LINE_AA)
        cv2.polylines(
            canvas, [points], False, LINE_COLOURS.get(name, (0, 0, 0)), width, cv2.LINE_AA
        )
        drawn.append(name)
    if drawn and legend:
        draw_legend(canvas, drawn, thickness)
    return canvas


#: zlib level 1 with the RLE strategy: on the samples 10–30 % faster than Pillow's level 1
#: and 10–20 % smaller (a photo's rows repeat little beyond their PNG filter's residue);
#: Pillow's optimize=True took 0.8 s.
PNG_PARAMS = [cv2.IMWRITE_PNG_COMPRESSION, 1]
PNG_PARAMS += [cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE]


#: What a reading stores: JPEG at quality 92 without chroma subsampling (the lines' saturated
#: colours keep sharp edges) encodes a 1024 px overlay in ~2 ms where the PNG takes ~20–30, at
#: a third of the size, 47 dB PSNR from the PNG (no visible difference at 2× zoom). Downloads
#: and the API still hand out a PNG, made from it by :func:`as_png` when asked for.
JPEG_PARAMS = [cv2.IMWRITE_JPEG_QUALITY, 92]
JPEG_PARAMS += [cv2.IMWRITE_JPEG_SAMPLING_FACTOR, cv2.IMWRITE_JPEG_SAMPLING_FACTOR_444]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _encoded(canvas_rgb: Array, extension: str, params: list[int]) -> bytes:
    ok, encoded = cv2.imencode(extension, cv2.cvtColor(canvas_rgb, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise ValueError(f"the overlay could not be encoded as {extension}")
    return bytes(encoded.tobytes())


def render_overlay_png(image_rgb: Array, analysis: PalmAnalysis) -> bytes:
    """PNG bytes of :func:`render_overlay` (``image_rgb`` may already be downscaled's)."""
    return _encoded(render_overlay(image_rgb, analysis), ".png", PNG_PARAMS)


def render_overlay_jpeg(image_rgb: Array, analysis: PalmAnalysis) -> bytes:
    """JPEG bytes of :func:`render_overlay`: the form a reading stores (see ``JPEG_PARAMS``)."""
    return _encoded(render_overlay(image_rgb, analysis), ".jpg", JPEG_PARAMS)


def as_png(overlay: bytes) -> bytes:
    """A stored overlay as PNG: readings made before overlays were stored as JPEG hold a PNG
    (returned as it is); a JPEG is decoded and re-encoded losslessly (~20 ms, on download)."""
    if overlay.startswith(PNG_SIGNATURE):
        return overlay
    decoded = cv2.imdecode(np.frombuffer(overlay, np.uint8), cv2.IMREAD_COLOR)
    if decoded is None:
        raise ValueError("the stored overlay is neither a PNG nor a readable JPEG")
    ok, encoded = cv2.imencode(".png", decoded, PNG_PARAMS)
    if not ok:
        raise ValueError("the overlay could not be encoded as PNG")
    return bytes(encoded.tobytes())


def _hover_text(line: LineResult) -> str:
    start = ZONE_LABELS.get(line.start_zone, line.start_zone)
    end = ZONE_LABELS.get(line.end_zone, line.end_zone)
    return (
        f"<b>{line.name} line</b><br>length {line.length_rel:.2f} palm widths<br>"
        f"depth {line.depth:.2f} · curvature {line.curvature:.2f}<br>"
        f"breaks {line.breaks} · branches {line.branches}<br>"
        f"from {start}<br>to {end}<br>confidence {line.confidence:.0%}"
        + (" (faint)" if line.faint else "")
    )


def _jpeg_data_uri(image_rgb: Array) -> str:
    buffer = io.BytesIO()
    Image.fromarray(image_rgb).save(buffer, format="JPEG", quality=85)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


#: MediaPipe landmarks that outline the palm: wrist, thumb base and the four knuckles.
PALM_LANDMARKS = (0, 1, 2, 5, 9, 13, 17)


def palm_box(analysis: PalmAnalysis, shape: tuple[int, ...], margin: float = 0.12) -> Array:
    """[x0, y0, x1, y1] around the palm (not the fingers) and its found lines, in ``shape``'s
    pixels: what a reader needs to see large."""
    factor = np.array([shape[1] / analysis.width, shape[0] / analysis.height])
    landmarks = np.asarray(analysis.landmarks, dtype=np.float64).reshape(-1, 2)
    parts = [landmarks[list(PALM_LANDMARKS)]]
    parts += [
        np.asarray(line.points, dtype=np.float64).reshape(-1, 2)
        for line in analysis.lines.values()
        if line.found and line.points
    ]
    points = np.vstack(parts) * factor
    low, high = points.min(axis=0), points.max(axis=0)
    pad = (high - low).max() * margin
    low = np.maximum(low - pad, 0)
    high = np.minimum(high + pad, [shape[1] - 1, shape[0] - 1])
    box: Array = np.concatenate([low, high])
    return box


def overlay_figure(
    image_rgb: Array, analysis: PalmAnalysis, *, crop_to_palm: bool = True, width: int = 640
) -> go.Figure:
    """Interactive figure: the photo as a ``go.Image`` plus one toggleable trace per found
    line, drawn thick on a white halo; framed on the palm unless ``crop_to_palm`` is off, and
    as tall as that frame is at ``width`` pixels wide (a portrait palm shows large)."""
    picture = downscaled(image_rgb, MAX_OVERLAY_SIDE)
    # The photo travels as a JPEG data URI: as a pixel array (z=) a 1024 px photo made the
    # figure's JSON about 15 MB; as a JPEG it is about 1 % of that.
    figure = go.Figure(go.Image(source=_jpeg_data_uri(picture), hoverinfo="skip", name="photo"))
    for name, line in analysis.lines.items():
        if not line.found or len(line.points) < 2:
            continue
        points = _scaled_points(line, analysis, picture.shape)
        red, green, blue = LINE_COLOURS.get(name, (0, 0, 0))
        halo = {"color": "rgba(255,255,255,0.85)", "width": 9}
        figure.add_trace(
            go.Scatter(
                x=points[:, 0],
                y=points[:, 1],
                mode="lines",
                line=halo,
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
        )
        figure.add_trace(
            go.Scatter(
                x=points[:, 0],
                y=points[:, 1],
                mode="lines",
                name=f"{name} line",
                legendgroup=name,
                line={"color": f"rgb({red},{green},{blue})", "width": 5},
                hovertemplate=_hover_text(line) + "<extra></extra>",
            )
        )
    x0, y0, x1, y1 = 0.0, 0.0, float(picture.shape[1]), float(picture.shape[0])
    if crop_to_palm and len(analysis.landmarks) == 21:
        x0, y0, x1, y1 = (float(v) for v in palm_box(analysis, picture.shape))
    figure.update_layout(
        height=min(max(round(width * (y1 - y0) / (x1 - x0)), 360), 900),
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0},
        xaxis={"visible": False, "range": [x0, x1]},
        yaxis={"visible": False, "range": [y1, y0], "scaleanchor": "x"},
    )
    return figure
