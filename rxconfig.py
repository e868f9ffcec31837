"""Reflex configuration. Business settings live in `roadside_console.domain.core.settings`."""

import reflex as rx

from roadside_console.domain.core.settings import get_settings

_settings = get_settings()

config = rx.Config(
    app_name="roadside_console",
    show_built_with_reflex=False,
    telemetry_enabled=False,
    plugins=[
        rx.plugins.RadixThemesPlugin(
            theme=rx.theme(accent_color="orange", gray_color="slate", radius="medium")
        )
    ],
    disable_plugins=[rx.plugins.SitemapPlugin],
    cors_allowed_origins=_settings.allowed_origins,
    redis_url=_settings.redis_url,
)
