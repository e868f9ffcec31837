"""Bar charts for the console: small charts that follow the light or dark theme.

- `day_bar_chart` (the dashboard's 30 days) is drawn by Recharts as React SVG elements from a
  list var of the page state: no chart object is built on the server (every page's hydrate
  computes every state's computed vars, so a figure var cost each visit to any page) and no
  large bundle is evaluated in the browser. Colours come from the theme's CSS variables.
- `bar_figure` returns a Plotly figure's JSON as a plain dict for a state var the page's handler
  fills (the reports page): no `go.Figure` is built (its validation cost ~2 ms a figure, and as
  computed vars, every page's hydrate built three), and no template of its own, so `rx.plotly`
  applies its light or dark one. `chart_card` draws it with Plotly's basic bundle (`plotly.js-basic-dist-min`: bar, scatter and pie, 1.1 MB against the full 4.6 MB that
  the dispatch map needs).

Money arrives in cents and is drawn in dollars.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import plotly.graph_objects as go
import reflex as rx

EMPTY_FIGURE: dict[str, Any] = {"data": [], "layout": {}}  # what a figure var holds until loaded
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


def bar_figure(
    labels: Sequence[str], values: Sequence[int], *, money: bool = False
) -> dict[str, Any]:
    """Plotly's JSON of a bar per label; with `money`, values are cents shown as dollars."""
    y = [v / 100 for v in values] if money else list(values)
    figure = _figure(list(labels), y, money)
    figure["layout"]["template"] = {}  # else Plotly's default template goes into the state
    return figure


def day_bar_chart(points: rx.Var[list[Any]], key: str, *, money: bool = False) -> rx.Component:
    """A bar per day of `points` (rows with a `day` label and `key`), drawn by Recharts as SVG.

    Plotly's basic bundle spent about 1.2 s of the browser's main thread evaluating itself and
    measuring labels after the data arrived (see docs/decisions.md); Recharts renders 30
    rectangles as React elements in the dashboard's own route chunk. With `money`, the values
    are cents and read as dollars. Day labels are turned and every second one is shown, as
    before; the tooltip gives each day's exact figure.

    What keeps the first render cheap: the chart is mounted once the points are there (an empty
    box of its height holds the place during hydration), and no tick label is measured. Recharts
    measures each label in a hidden span (a forced layout each) to wrap it to the axis width
    and, on the value axis, to drop labels that would collide: the labels here never wrap
    (`width: 0` turns wrapping off) and five value ticks never collide (`interval=0`). The
    dollar formatter reuses one `Intl.NumberFormat`; `toLocaleString` builds one per call.
    """
    muted = rx.color("gray", 11)
    tick = {"fontSize": 11, "fill": muted, "width": 0}
    as_money = (
        "(() => { const f = new Intl.NumberFormat('en-US'); "
        "return (v) => '$' + f.format(v / 100); })()"
    )
    exact = (
        "(v) => ['$' + (v / 100).toLocaleString('en-US', {minimumFractionDigits: 2}), 'Net']"
        if money
        else "(v) => [v.toLocaleString('en-US'), 'Bookings']"
    )
    return rx.recharts.bar_chart(
        rx.recharts.cartesian_grid(vertical=False, stroke=rx.color("gray", 5)),
        rx.recharts.x_axis(
            data_key="day", interval=1, angle=-90, text_anchor="end", height=48, tick=tick
        ),
        rx.recharts.y_axis(
            tick=tick,
            width=52,
            interval=0,
            allow_decimals=False,
            **({"tick_formatter": as_money} if money else {}),
        ),
        rx.recharts.graphing_tooltip(
            cursor={"fill": rx.color("gray", 4)},
            content_style={
                "background": rx.color("gray", 1),
                "border": f"1px solid {rx.color('gray', 6)}",
            },
            custom_attrs={"formatter": rx.Var(_js_expr=exact)},
        ),
        rx.recharts.bar(data_key=key, fill=ACCENT, is_animation_active=False),
        data=points.to(list[dict[str, Any]]),
        width="100%",
        height=CHART_HEIGHT,
        margin={"top": 12, "right": 12, "left": 0, "bottom": 0},
    )


def day_chart_card(title: str, chart: rx.Component, element_id: str) -> rx.Component:
    """A titled card holding one `day_bar_chart`."""
    return rx.card(
        rx.vstack(rx.heading(title, size="3"), chart, spacing="2", width="100%"),
        width="100%",
        id=element_id,
    )


def chart_card(title: str, figure: rx.Var, element_id: str) -> rx.Component:
    """A titled card holding one Plotly bar chart (a `bar_figure` var)."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="3"),
            rx.plotly.basic(
                data=figure.to(go.Figure),
                config={"displayModeBar": False, "responsive": True},
                use_resize_handler=True,
                width="100%",
                height=f"{CHART_HEIGHT}px",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        id=element_id,
    )
