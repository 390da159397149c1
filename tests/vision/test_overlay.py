"""Overlays: the PNG shows each found line in its colour; the stored JPEG is the same picture
and turns into a PNG on download; the figure has one trace per line."""

from __future__ import annotations

import io

import cv2
import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from palm.vision.arrays import Array
from palm.vision.overlay import (
    LINE_COLOURS,
    as_png,
    overlay_figure,
    render_overlay,
    render_overlay_jpeg,
    render_overlay_png,
)


def _colour_share(image: Array, colour: tuple[int, int, int]) -> float:
    return float((np.abs(image.astype(int) - colour).sum(axis=2) < 30).mean())


def test_png_is_downscaled_and_shows_each_found_line(samples, palm_name: str) -> None:
    rgb, analysis = samples.rgb(palm_name), samples.analysis(palm_name)
    png = render_overlay_png(rgb, analysis)
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    assert max(image.shape[:2]) <= 1024
    assert abs(image.shape[1] / image.shape[0] - rgb.shape[1] / rgb.shape[0]) < 0.01
    for name, line in analysis.lines.items():
        share = _colour_share(image, LINE_COLOURS[name])
        assert (share > 1e-4) == line.found, name


def _pixels(encoded: bytes) -> Array:
    return np.asarray(Image.open(io.BytesIO(encoded)).convert("RGB")).astype(np.int16)


def test_the_stored_jpeg_is_the_png_picture_and_downloads_as_a_png(samples) -> None:
    rgb, analysis = samples.rgb("palm_m_hanging"), samples.analysis("palm_m_hanging")
    jpeg, png = render_overlay_jpeg(rgb, analysis), render_overlay_png(rgb, analysis)
    assert jpeg[:3] == b"\xff\xd8\xff" and len(jpeg) < len(png) / 2
    drawn, stored = _pixels(png), _pixels(jpeg)
    assert drawn.shape == stored.shape
    assert np.abs(drawn - stored).mean() < 2.0  # the same picture, JPEG noise only
    downloaded = as_png(jpeg)
    assert Image.open(io.BytesIO(downloaded)).format == "PNG"
    decoded = cv2.cvtColor(
        cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB
    )
    assert np.array_equal(_pixels(downloaded), decoded)  # lossless from what was stored
    for name, line in analysis.lines.items():  # every line keeps its colour
        share = _colour_share(stored.astype(np.uint8), LINE_COLOURS[name])
        assert (share > 1e-4) == line.found, name


def test_a_stored_png_downloads_as_it_is_and_garbage_is_refused(samples) -> None:
    png = render_overlay_png(samples.rgb("palm_m_hanging"), samples.analysis("palm_m_hanging"))
    assert as_png(png) is png
    with pytest.raises(ValueError, match="neither a PNG nor a readable JPEG"):
        as_png(b"\xff\xd8\xff not really a photo")


def test_lines_are_drawn_where_their_points_are(samples) -> None:
    rgb, analysis = samples.rgb("palm_m_hanging"), samples.analysis("palm_m_hanging")
    canvas = render_overlay(rgb, analysis)
    factor = canvas.shape[1] / analysis.width
    heart = np.asarray(analysis.lines["heart"].points) * factor
    x, y = np.round(heart[len(heart) // 2]).astype(int)
    window = canvas[y - 2 : y + 3, x - 2 : x + 3]
    assert _colour_share(window, LINE_COLOURS["heart"]) > 0.2


def test_figure_has_photo_and_named_toggleable_traces(samples) -> None:
    rgb, analysis = samples.rgb("palm_f_hanging"), samples.analysis("palm_f_hanging")
    figure = overlay_figure(rgb, analysis)
    assert isinstance(figure, go.Figure)
    assert isinstance(figure.data[0], go.Image)
    names = [trace.name for trace in figure.data[1:] if trace.showlegend is not False]
    assert names == [f"{name} line" for name, line in analysis.lines.items() if line.found]
    heart = next(trace for trace in figure.data if trace.name == "heart line")
    assert "length" in heart.hovertemplate and "confidence" in heart.hovertemplate
    assert "_" not in heart.hovertemplate  # zones in words, not `under_index`
    assert len(heart.x) == len(analysis.lines["heart"].points)
    assert figure.to_json()  # serialisable for Streamlit


def test_the_figure_frames_the_palm_and_can_show_the_whole_photo(samples) -> None:
    rgb, analysis = samples.rgb("palm_f_hanging"), samples.analysis("palm_f_hanging")
    palm = overlay_figure(rgb, analysis).layout
    whole = overlay_figure(rgb, analysis, crop_to_palm=False).layout
    palm_width = palm.xaxis.range[1] - palm.xaxis.range[0]
    whole_width = whole.xaxis.range[1] - whole.xaxis.range[0]
    assert 0.2 * whole_width < palm_width < 0.9 * whole_width
    assert 360 <= palm.height <= 900
