"""Plotly charts for the console: small figures that follow the light or dark theme.

Figures carry an empty template, so state stays small and `rx.plotly` applies its own light or
dark template with the colour mode. Money arrives in cents and is drawn in dollars.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import reflex as rx

ACCENT = "#f76b15"  # Radix orange 9, the console's accent in both themes
CHART_HEIGHT = 280


def bar_chart(labels: Sequence[str], values: Sequence[int], *, money: bool = False) -> go.Figure:
    """A bar per label; with `money`, values are cents shown as dollars."""
    y = [v / 100 for v in values] if money else list(values)
    hover = "%{x}<br>$%{y:,.2f}<extra></extra>" if money else "%{x}<br>%{y:,}<extra></extra>"
    figure = go.Figure(
        go.Bar(x=list(labels), y=y, marker_color=ACCENT, hovertemplate=hover),
        layout={"template": {}},
    )
    figure.update_layout(
        height=CHART_HEIGHT,
        margin={"l": 48, "r": 12, "t": 12, "b": 40},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        yaxis={"tickprefix": "$" if money else "", "rangemode": "tozero", "fixedrange": True},
        xaxis={"fixedrange": True},
        showlegend=False,
    )
    return figure


def chart_card(title: str, figure: rx.Var, element_id: str) -> rx.Component:
    """A titled card holding one chart."""
    return rx.card(
        rx.vstack(
            rx.heading(title, size="3"),
            rx.plotly(
                data=figure,
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
