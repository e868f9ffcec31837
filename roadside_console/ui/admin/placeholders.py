"""Admin areas that exist in the navigation but are not built yet; each says so plainly."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from roadside_console.ui.components.common import placeholder_notice
from roadside_console.ui.shell.layout import admin_page

# path, title, what the page will do
PLANNED_PAGES: list[tuple[str, str, str]] = [
    ("/admin/invoices", "Invoices", "Monthly invoices to B2B accounts, as PDF."),
]


def make_placeholder(title: str, description: str) -> Callable[[], rx.Component]:
    """Build a page that names what is coming instead of pretending to work."""

    @admin_page(title)
    def placeholder() -> rx.Component:
        return placeholder_notice(title, description)

    placeholder.__name__ = f"{title.lower().replace(' ', '_')}_page"
    return placeholder
