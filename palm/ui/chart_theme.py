"""The person's chart theme on any Plotly figure: light, dark, or a colour-blind safe palette
(Okabe & Ito's eight colours, distinguishable with every common colour-vision deficiency)."""

from __future__ import annotations

import plotly.graph_objects as go

from palm.vocabulary import LINE_NAMES, ChartTheme

OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000")
TEMPLATES = {
    ChartTheme.LIGHT: "plotly_white",
    ChartTheme.DARK: "plotly_dark",
    ChartTheme.COLOUR_BLIND: "plotly_white",
}


def _safe_colour(trace: go.BaseTraceType, index: int) -> str:
    """A line's own safe colour (the same line, the same colour), else by position."""
    group = str(getattr(trace, "legendgroup", "") or getattr(trace, "name", "") or "")
    name = group.removesuffix(" line")
    position = LINE_NAMES.index(name) if name in LINE_NAMES else index
    return OKABE_ITO[position % len(OKABE_ITO)]


def themed(figure: go.Figure, theme: ChartTheme | str) -> go.Figure:
    """The figure in the theme (changed in place and returned)."""
    chosen = ChartTheme(theme) if theme in set(ChartTheme) else ChartTheme.LIGHT
    figure.update_layout(template=TEMPLATES[chosen])
    if chosen == ChartTheme.DARK:
        figure.update_layout(paper_bgcolor="#0e1117", plot_bgcolor="#0e1117")
    if chosen == ChartTheme.COLOUR_BLIND:
        figure.update_layout(colorway=list(OKABE_ITO))
        for index, trace in enumerate(figure.data):
            colour = _safe_colour(trace, index)
            if isinstance(trace, go.Scatter):
                trace.update(line={"color": colour}, marker={"color": colour})
            elif isinstance(trace, go.Bar):
                trace.update(marker={"color": colour})
    return figure
