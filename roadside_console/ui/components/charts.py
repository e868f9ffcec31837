"""Plotly bar charts for the console: small figures that follow the light or dark theme.

Figures carry no template of their own, so `rx.plotly` applies its light or dark one with the
colour mode. Money arrives in cents and is drawn in dollars. The charts use Plotly's basic bundle
(`plotly.js-basic-dist-min`: bar, scatter and pie traces, 1.1 MB against the full 4.6 MB
bundle that the dispatch map needs), which the browser parses in a fraction of the time.

Two ways to feed a chart:

- `bar_figure(labels, values)` builds the figure in the browser from two list vars of the page
  state, so the state carries only the numbers and the server builds no Plotly object at all
  (the dashboard: every page's hydrate computes every state's computed vars, so a figure var
  costs each visit to any page).
- `bar_chart(labels, values)` returns a `go.Figure` for a computed var (the reports page); it is
  built from one dict, since Plotly's `update_layout` path handling cost ~20 ms a figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import reflex as rx

ACCENT = "#f76b15"  # Radix orange 9, the console's accent in both themes
CHART_HEIGHT = 280


def _hover(money: bool) -> str:
    return "%{x}<br>$%{y:,.2f}<extra></extra>" if money else "%{x}<br>%{y:,}<extra></extra>"


def _layout(money: bool) -> dict[str, Any]:
    return {
        "height": CHART_HEIGHT,
        "margin": {"l": 48, "r": 12, "t": 12, "b": 40},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "yaxis": {"tickprefix": "$" if money else "", "rangemode": "tozero", "fixedrange": True},
        "xaxis": {"fixedrange": True},
        "showlegend": False,
    }


def _figure(x: Any, y: Any, money: bool) -> dict[str, Any]:
    bar = {
        "type": "bar",
        "x": x,
        "y": y,
        "marker": {"color": ACCENT},
        "hovertemplate": _hover(money),
    }
    return {"data": [bar], "layout": _layout(money)}


def bar_chart(labels: Sequence[str], values: Sequence[int], *, money: bool = False) -> go.Figure:
    """A bar per label; with `money`, values are cents shown as dollars."""
    y = [v / 100 for v in values] if money else list(values)
    figure = _figure(list(labels), y, money)
    figure["layout"]["template"] = {}  # else Plotly bundles its default template into state
    return go.Figure(figure)


def bar_figure(
    labels: rx.Var[list[str]], values: rx.Var[list[int]], *, money: bool = False
) -> rx.Var[go.Figure]:
    """A bar per day label, like `bar_chart`, assembled in the browser from the state's lists.

    The day axis is laid out up front (categories, every second label, turned on its side): left to
    itself Plotly measures all 30 labels, finds they overlap, rotates them and measures again,
    which was most of the time the browser spent drawing a chart.
    """
    y = values.to(list[int]).map(lambda v: v.to(int) / 100) if money else values
    figure = _figure(labels, y, money)
    layout = figure["layout"]
    layout["xaxis"] |= {"type": "category", "dtick": 2, "tickangle": -90, "automargin": False}
    layout["yaxis"] |= {"automargin": False}
    return rx.Var.create(figure).to(go.Figure)


def chart_card(
    title: str, figure: rx.Var, element_id: str, *, ready: rx.Var[bool] | None = None
) -> rx.Component:
    """A titled card holding one bar chart (a `go.Figure` var or a `bar_figure`).

    With `ready`, the chart is mounted only once its data is there and an empty box of the same
    height holds its place: drawing an empty Plotly chart first and then redrawing it with the
    data costs the browser's main thread a second full draw.
    """
    chart = rx.plotly.basic(
        data=figure,
        config={"displayModeBar": False, "responsive": True},
        use_resize_handler=True,
        width="100%",
        height=f"{CHART_HEIGHT}px",
    )
    if ready is not None:
        chart = rx.cond(ready, chart, rx.box(height=f"{CHART_HEIGHT}px", width="100%"))
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), chart, spacing="2", width="100%"),
        width="100%",
        id=element_id,
    )
