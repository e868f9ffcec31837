"""The board's map: the same points either on street tiles or on a plain latitude/longitude plot.

Street tiles come from OpenStreetMap over the internet and need WebGL; without either, a tile
map is an empty square. The plain plot needs neither: longitude across, latitude up, the axes
scaled so a mile is as long both ways, so the picture keeps its shape. The board shows the plain
plot unless the dispatcher picked the street map (remembered in their browser).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

PLAIN, STREET = "plain", "street"
MAP_HEIGHT = 420
STREET_STYLE = "open-street-map"

# group → (legend name, colour, marker size); bookings are drawn over providers
GROUPS: dict[str, tuple[str, str, int]] = {
    "provider_online": ("Provider online", "#30a46c", 11),
    "provider_offline": ("Provider, no fresh fix", "#8b8d98", 10),
    "booking": ("Open booking", "#f76b15", 13),
    "booking_expiring": ("Offer about to lapse", "#ffc53d", 14),
    "booking_manual": ("Needs manual dispatch", "#e5484d", 15),
}


@dataclass(frozen=True)
class MapPoint:
    """One thing on the map: where it is, what hovering says, and its group."""

    lat: float
    lng: float
    label: str
    group: str


def _centre(points: Sequence[MapPoint]) -> tuple[float, float]:
    lats = [p.lat for p in points]
    lngs = [p.lng for p in points]
    return (min(lats) + max(lats)) / 2, (min(lngs) + max(lngs)) / 2


def street_zoom(points: Sequence[MapPoint]) -> float:
    """A zoom that fits every point: about one zoom level per halving of the widest span."""
    if len(points) < 2:
        return 12.0
    lat, _ = _centre(points)
    span = max(
        max(p.lat for p in points) - min(p.lat for p in points),
        (max(p.lng for p in points) - min(p.lng for p in points)) * math.cos(math.radians(lat)),
    )
    if span <= 0:
        return 12.0
    return max(2.0, min(14.0, math.log2(360 / span) - 1.5))


def _groups(points: Sequence[MapPoint]) -> list[tuple[str, list[MapPoint]]]:
    return [(group, [p for p in points if p.group == group]) for group in GROUPS]


def _base_layout(figure: go.Figure) -> None:
    figure.update_layout(
        height=MAP_HEIGHT,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "y": -0.02, "yanchor": "top"},
        uirevision="board",  # a refresh keeps the dispatcher's pan and zoom
    )


def plain_map(points: Sequence[MapPoint]) -> go.Figure:
    """Points on longitude/latitude axes in proportion, with no tiles (works offline)."""
    figure = go.Figure(layout={"template": {}})
    for group, members in _groups(points):
        if not members:
            continue
        name, colour, size = GROUPS[group]
        figure.add_trace(
            go.Scatter(
                x=[p.lng for p in members],
                y=[p.lat for p in members],
                text=[p.label for p in members],
                mode="markers",
                name=name,
                marker={"color": colour, "size": size, "line": {"width": 1, "color": "#ffffff"}},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    lat = _centre(points)[0] if points else 0.0
    _base_layout(figure)
    figure.update_layout(
        xaxis={"title": {"text": "longitude"}, "zeroline": False, "showgrid": True},
        yaxis={
            "title": {"text": "latitude"},
            "zeroline": False,
            "scaleanchor": "x",
            "scaleratio": 1 / max(0.1, math.cos(math.radians(lat))),
        },
    )
    return figure


def street_map(points: Sequence[MapPoint]) -> go.Figure:
    """Points on OpenStreetMap tiles (needs the internet and WebGL in the browser)."""
    figure = go.Figure(layout={"template": {}})
    for group, members in _groups(points):
        if not members:
            continue
        name, colour, size = GROUPS[group]
        figure.add_trace(
            go.Scattermap(
                lat=[p.lat for p in members],
                lon=[p.lng for p in members],
                text=[p.label for p in members],
                mode="markers",
                name=name,
                marker={"color": colour, "size": size},
                hovertemplate="%{text}<extra></extra>",
            )
        )
    lat, lng = _centre(points) if points else (0.0, 0.0)
    _base_layout(figure)
    figure.update_layout(
        map={"style": STREET_STYLE, "center": {"lat": lat, "lon": lng}, "zoom": street_zoom(points)}
    )
    return figure


def board_map(points: Sequence[MapPoint], view: str) -> go.Figure:
    """The figure for the chosen view; anything but `street` is the plain plot."""
    return street_map(points) if view == STREET else plain_map(points)
