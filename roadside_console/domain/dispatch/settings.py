"""Dispatch settings: read them into the validated config the rules take, and change them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch import rules
from roadside_console.domain.dispatch.schemas import DispatchSettingsUpdate, DispatchSettingsView
from roadside_console.domain.tenants.models import TenantSettings
from roadside_console.domain.tenants.service import get_tenant_settings


def config_from_settings(settings: TenantSettings) -> rules.DispatchConfig:
    """Read a tenant's dispatch settings into the validated config the rules take."""
    return rules.validate_config(
        rules.DispatchConfig(
            radius_miles=settings.dispatch_radius_miles,
            expanded_radius_miles=settings.dispatch_expanded_radius_miles,
            offer_timeout_seconds=settings.offer_timeout_seconds,
            max_attempts=settings.max_dispatch_attempts,
            max_concurrent_jobs=settings.max_concurrent_jobs,
            location_fresh_seconds=settings.location_fresh_seconds,
            weights=dict(settings.dispatch_weights),
            b2b_weights=dict(settings.b2b_dispatch_weights),
        )
    )


def _settings_view(config: rules.DispatchConfig) -> DispatchSettingsView:
    return DispatchSettingsView(
        radius_miles=config.radius_miles,
        expanded_radius_miles=config.expanded_radius_miles,
        offer_timeout_seconds=config.offer_timeout_seconds,
        max_attempts=config.max_attempts,
        max_concurrent_jobs=config.max_concurrent_jobs,
        location_fresh_seconds=config.location_fresh_seconds,
        weights=dict(config.weights),
        b2b_weights=dict(config.b2b_weights),
    )


def get_dispatch_settings(uow: UnitOfWork, *, actor: Actor) -> DispatchSettingsView:
    """Return the tenant's dispatch settings for the settings page."""
    require(actor, Permission.MANAGE_SETTINGS)
    return _settings_view(config_from_settings(get_tenant_settings(uow.session, actor.tenant_id)))


_SETTING_COLUMNS = {
    "radius_miles": "dispatch_radius_miles",
    "expanded_radius_miles": "dispatch_expanded_radius_miles",
    "offer_timeout_seconds": "offer_timeout_seconds",
    "max_attempts": "max_dispatch_attempts",
    "max_concurrent_jobs": "max_concurrent_jobs",
    "location_fresh_seconds": "location_fresh_seconds",
    "weights": "dispatch_weights",
    "b2b_weights": "b2b_dispatch_weights",
}


def update_dispatch_settings(
    uow: UnitOfWork, *, actor: Actor, data: DispatchSettingsUpdate
) -> DispatchSettingsView:
    """Change dispatch settings; refuse zero, negative or inconsistent values; audit the change."""
    require(actor, Permission.MANAGE_SETTINGS)
    settings = get_tenant_settings(uow.session, actor.tenant_id)
    current = config_from_settings(settings)
    values = {name: getattr(current, name) for name in _SETTING_COLUMNS}
    for name in _SETTING_COLUMNS:
        new = getattr(data, name)
        if new is not None:
            values[name] = dict(new) if name.endswith("weights") else new
    config = rules.validate_config(rules.DispatchConfig(**values))
    changes = {
        name: {"from": _plain(getattr(current, name)), "to": _plain(getattr(config, name))}
        for name in _SETTING_COLUMNS
        if _plain(getattr(current, name)) != _plain(getattr(config, name))
    }
    if changes:
        for name, column in _SETTING_COLUMNS.items():
            setattr(settings, column, _plain(getattr(config, name)))
        settings.updated_by_id = actor.user_id
        uow.session.add(settings)
        record_audit(
            uow.session,
            actor=actor,
            action="dispatch.settings_changed",
            target_type="tenant_settings",
            target_id=settings.id,
            changes=changes,
        )
    uow.commit()
    return _settings_view(config)


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value
