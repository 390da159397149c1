"""Plotly figures for the explore pages. Inputs are the services' typed rows; pandas only
reshapes them for Plotly (the aggregation already happened in SQL)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from palm.explore import CompareItem, DayCount, LineMetricPoint, PresenceCount, ShapeCount
from palm.vision import LINE_COLOURS, PALM_POLYGON
from palm.vocabulary import LINE_NAMES, METRIC_LABELS, DayLabel, utc_day

CHARTED_METRICS = ("length_rel", "depth", "curvature")
STATUS_COLOURS = {"done": "#2e7d32", "failed": "#c62828", "queued": "#9e9e9e", "running": "#1565c0"}
READING_COLOURS = ("#7b1fa2", "#ef6c00", "#00897b", "#1565c0")
COMPACT = {"margin": {"l": 10, "r": 10, "t": 40, "b": 10}}


def colour(line: str) -> str:
    red, green, blue = LINE_COLOURS.get(line, (90, 90, 90))
    return f"rgb({red},{green},{blue})"


def metrics_over_time(points: Sequence[LineMetricPoint]) -> go.Figure:
    """One row per metric, one column per hand, one trace per line (built in one go: adding
    traces one by one re-validates the whole figure each time)."""
    frame = pd.DataFrame([asdict(p) for p in points])
    hands = sorted(frame["hand"].unique()) if len(frame) else ["left", "right"]
    figure = make_subplots(
        rows=3,
        cols=len(hands),
        shared_xaxes=True,
        subplot_titles=[
            f"{h.title()} hand · {METRIC_LABELS[metric]}"
            for metric in CHARTED_METRICS
            for h in hands
        ],
        vertical_spacing=0.08,
    )
    traces, rows, cols = [], [], []
    groups = dict(list(frame.groupby(["hand", "line"]))) if len(frame) else {}
    for column, hand in enumerate(hands, start=1):
        for row, metric in enumerate(CHARTED_METRICS, start=1):
            for line in LINE_NAMES:
                part = groups.get((hand, line))
                if part is None:
                    continue
                traces.append(
                    go.Scatter(
                        x=part["bucket"].tolist(),
                        y=part[metric].tolist(),
                        name=f"{line} line",
                        legendgroup=line,
                        showlegend=row == 1 and column == 1,
                        mode="lines+markers",
                        line={"color": colour(line)},
                        customdata=part["count"].tolist(),
                        hovertemplate="%{x}: %{y:.2f} (%{customdata} readings)",
                    )
                )
                rows.append(row)
                cols.append(column)
    figure.add_traces(traces, rows=rows, cols=cols)
    monthly = bool(len(frame)) and len(str(frame["bucket"].iloc[0])) == 7  # "2026-11"
    _date_axes(figure, "%b %Y" if monthly else "%d %b %Y")
    figure.update_layout(
        height=660,
        title="Line metrics over time (found lines, mean)",
        margin={"l": 10, "r": 10, "t": 80, "b": 10},  # room for the title above subplot titles
    )
    return figure


def _bars(
    frame: pd.DataFrame, x: str, split: str, colours: dict[str, str] | None = None
) -> list[go.Bar]:
    """One bar trace per value of ``split`` (plotly.express does the same, slower)."""
    if frame.empty:
        return []
    return [
        go.Bar(
            x=part[x].tolist(),
            y=part["count"].tolist(),
            name=str(name),
            marker_color=(colours or {}).get(str(name)),
        )
        for name, part in frame.groupby(split)
    ]


def _bar_figure(traces: list[go.Bar], title: str, mode: str = "stack") -> go.Figure:
    figure = go.Figure(traces)
    figure.update_layout(height=320, title=title, barmode=mode, bargap=0.1, **COMPACT)
    return figure


def _date_axes(figure: go.Figure, pattern: str) -> None:
    """Dates as dates: '30 Nov 2026', never '23:59:59.999 Nov 30, 2026'."""
    figure.update_xaxes(type="date", tickformat=pattern, hoverformat=pattern)


def readings_per_day(rows: Sequence[DayCount]) -> go.Figure:
    frame = pd.DataFrame([asdict(r) for r in rows])
    figure = _bar_figure(_bars(frame, "day", "status", STATUS_COLOURS), "Readings per day")
    _date_axes(figure, "%d %b %Y")
    figure.update_xaxes(dtick="D1" if len(frame) and frame["day"].nunique() <= 14 else None)
    return figure


def hand_shapes(rows: Sequence[ShapeCount]) -> go.Figure:
    frame = pd.DataFrame([asdict(r) for r in rows])
    return _bar_figure(_bars(frame, "shape", "hand"), "Hand shapes", "group")


def line_presence(rows: Sequence[PresenceCount]) -> go.Figure:
    frame = pd.DataFrame([asdict(r) for r in rows])
    if not frame.empty:
        frame["found"] = frame["found"].map({True: "found", False: "not found"})
    colours = {"found": "#2e7d32", "not found": "#bdbdbd"}
    figure = _bar_figure(_bars(frame, "line", "found", colours), "Line presence")
    figure.update_xaxes(categoryorder="array", categoryarray=list(LINE_NAMES))
    return figure


def canonical_overlay(item: CompareItem, day: DayLabel = utc_day) -> go.Figure:
    """The reading's lines in the canonical palm frame (thumb left, knuckles up)."""
    outline = [*PALM_POLYGON, PALM_POLYGON[0]]
    figure = go.Figure(
        go.Scatter(
            x=[p[0] for p in outline],
            y=[p[1] for p in outline],
            mode="lines",
            line={"color": "#bbbbbb", "dash": "dot"},
            name="palm",
            hoverinfo="skip",
        )
    )
    for line in LINE_NAMES:
        snapshot = item.lines.get(line)
        if snapshot is None or not snapshot.points:
            continue
        figure.add_scatter(
            x=[p[0] for p in snapshot.points],
            y=[p[1] for p in snapshot.points],
            mode="lines",
            name=line,
            line={"color": colour(line), "width": 4},
            hovertemplate=(
                f"{line}: length {snapshot.length_rel:.2f}, depth {snapshot.depth:.2f}"
                "<extra></extra>"
            ),
        )
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False, range=[-0.45, 1.3])
    figure.update_layout(height=360, title=item.labelled(day), showlegend=False, **COMPACT)
    return figure


def radar(items: Sequence[CompareItem], metric: str, day: DayLabel = utc_day) -> go.Figure:
    """One closed trace per reading over the lines; unfound lines count as zero."""
    figure = go.Figure()
    for item, tint in zip(items, READING_COLOURS, strict=False):
        values = [
            float(getattr(item.lines[line], metric))
            if line in item.lines and item.lines[line].found
            else 0.0
            for line in LINE_NAMES
        ]
        figure.add_scatterpolar(
            r=[*values, values[0]],
            theta=[*LINE_NAMES, LINE_NAMES[0]],
            name=item.labelled(day),
            fill="toself",
            opacity=0.6,
            line={"color": tint},
        )
    figure.update_layout(
        height=440,
        title=f"{METRIC_LABELS.get(metric, metric)} by line",
        legend={"orientation": "h", "x": 0, "y": -0.08, "xanchor": "left", "yanchor": "top"},
        polar={"radialaxis": {"showticklabels": False, "ticks": ""}},
        margin={"l": 50, "r": 50, "t": 50, "b": 10},  # room for the axis names at the rim
    )
    return figure
