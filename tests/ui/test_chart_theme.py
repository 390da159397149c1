"""A person's chart theme reaches the figure: dark template, or a colour-blind safe palette
that keeps one colour per line."""

from __future__ import annotations

import plotly.graph_objects as go

from palm.ui.chart_theme import OKABE_ITO, themed


def figure() -> go.Figure:
    return go.Figure(
        [
            go.Scatter(x=[1, 2], y=[1, 2], name="heart line", legendgroup="heart"),
            go.Scatter(x=[1, 2], y=[2, 1], name="life line", legendgroup="life"),
            go.Bar(x=["a"], y=[3], name="count"),
        ]
    )


def test_the_colour_blind_theme_gives_each_line_its_safe_colour() -> None:
    themed_figure = themed(figure(), "colour_blind")
    heart, life, bar = themed_figure.data
    assert heart.line.color == OKABE_ITO[0]  # heart is the first line
    assert life.line.color == OKABE_ITO[2]
    assert bar.marker.color == OKABE_ITO[2]  # by position when it is no line
    assert list(themed_figure.layout.colorway) == list(OKABE_ITO)


def test_dark_and_light_themes_pick_their_template_and_an_unknown_one_is_light() -> None:
    dark = themed(figure(), "dark")
    assert dark.layout.paper_bgcolor == "#0e1117"
    light = themed(figure(), "neon")
    assert light.layout.paper_bgcolor is None
    assert light.layout.template.layout.paper_bgcolor == "white"
