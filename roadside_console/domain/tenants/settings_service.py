"""The workspace settings page: read every tunable value at once, change the ones no area owns.

Dispatch (`dispatch.settings`) and the trust threshold (`trust.service`) keep their own use
cases and rules; this module reads their values for the page and changes the rest: booking and
pricing terms, referral amounts and the default provider share. Pricing reads its terms through
the per-process config cache, so a change drops this tenant's entry once it is committed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from roadside_console.domain.audit.service import record_audit
from roadside_console.domain.core.auth import Actor, Permission, require
from roadside_console.domain.core.errors import ValidationFailed
from roadside_console.domain.core.money import BASIS_POINTS
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.dispatch.schemas import DispatchSettingsView
from roadside_console.domain.dispatch.settings import config_from_settings
from roadside_console.domain.identity.models import User
from roadside_console.domain.pricing.cache import invalidate_pricing_config
from roadside_console.domain.tenants.models import TenantSettings
from roadside_console.domain.tenants.service import get_tenant, get_tenant_settings
from roadside_console.domain.trust.service import change_promotion_threshold

MAX_CANCELLATION_FEE_CENTS = 50_000
MIN_PRICE_CAP_BP = 10_000
MAX_PRICE_CAP_BP = 100_000
MAX_QUOTE_TTL_MINUTES = 120
MAX_SCHEDULE_LEAD_MINUTES = 10_080  # one week
MAX_SCARCITY_PROVIDERS = 100
MAX_REWARD_CENTS = 1_000_000  # $10,000: anything above is a typo, not a referral programme


@dataclass(frozen=True, slots=True)
class WorkspaceSettingsView:
    """Every value the settings page shows, and whether the reader may change them."""

    cancellation_fee_cents: int
    price_cap_bp: int
    quote_ttl_minutes: int
    min_schedule_lead_minutes: int
    scarcity_enabled: bool
    scarcity_min_providers: int
    scarcity_step_bp: int
    scarcity_max_bp: int
    trust_promotion_threshold: int
    referral_reward_cents: int
    provider_referral_bonus_cents: int
    default_provider_share_bp: int
    dispatch: DispatchSettingsView
    can_change: bool
    updated_at: datetime | None
    updated_by_name: str
    timezone: str


@dataclass(frozen=True, slots=True)
class WorkspaceSettingsUpdate:
    """The workspace settings to change; a field left as None keeps its value."""

    cancellation_fee_cents: int | None = None
    price_cap_bp: int | None = None
    quote_ttl_minutes: int | None = None
    min_schedule_lead_minutes: int | None = None
    scarcity_enabled: bool | None = None
    scarcity_min_providers: int | None = None
    scarcity_step_bp: int | None = None
    scarcity_max_bp: int | None = None
    referral_reward_cents: int | None = None
    provider_referral_bonus_cents: int | None = None
    default_provider_share_bp: int | None = None
    # Changed through the trust rule (its own audit entry), in the same transaction.
    trust_promotion_threshold: int | None = None


# field: (lowest, highest, the message naming the field and its range)
_RANGES: dict[str, tuple[int, int, str]] = {
    "cancellation_fee_cents": (
        0,
        MAX_CANCELLATION_FEE_CENTS,
        "The cancellation fee must be from $0 to $500.",
    ),
    "price_cap_bp": (
        MIN_PRICE_CAP_BP,
        MAX_PRICE_CAP_BP,
        "The price cap must be from 100 % to 1,000 % of the base price.",
    ),
    "quote_ttl_minutes": (
        1,
        MAX_QUOTE_TTL_MINUTES,
        "The quote lifetime must be from 1 to 120 minutes.",
    ),
    "min_schedule_lead_minutes": (
        0,
        MAX_SCHEDULE_LEAD_MINUTES,
        "The minimum notice for scheduled bookings must be from 0 to 10,080 minutes (a week).",
    ),
    "scarcity_min_providers": (
        1,
        MAX_SCARCITY_PROVIDERS,
        "The scarcity threshold must be from 1 to 100 providers online.",
    ),
    "scarcity_step_bp": (
        0,
        BASIS_POINTS,
        "The scarcity step must be from 0 % to 100 % per missing provider.",
    ),
    "scarcity_max_bp": (
        0,
        BASIS_POINTS,
        "The most scarcity can add must be from 0 % to 100 %.",
    ),
    "referral_reward_cents": (
        0,
        MAX_REWARD_CENTS,
        "The referral reward must be from $0 to $10,000.",
    ),
    "provider_referral_bonus_cents": (
        0,
        MAX_REWARD_CENTS,
        "The provider referral bonus must be from $0 to $10,000.",
    ),
    "default_provider_share_bp": (
        0,
        BASIS_POINTS,
        "The default provider share must be from 0 % to 100 %.",
    ),
}
_FIELDS = tuple(
    f.name
    for f in dataclasses.fields(WorkspaceSettingsUpdate)
    if f.name != "trust_promotion_threshold"
)


def get_workspace_settings(uow: UnitOfWork, *, actor: Actor) -> WorkspaceSettingsView:
    """Return every workspace setting; staff may read them, only admins may change them."""
    require(actor, Permission.VIEW_SETTINGS)
    return _view(uow, actor, get_tenant_settings(uow.session, actor.tenant_id))


def update_workspace_settings(
    uow: UnitOfWork, *, actor: Actor, changes: WorkspaceSettingsUpdate
) -> WorkspaceSettingsView:
    """Change booking, pricing and referral terms; refuse a value out of range; audit the change.

    Only the fields whose value differs are written and audited; new quotes price with them at
    once in this process (other processes within the pricing cache's 5 s). A new trust
    promotion threshold goes through the trust rule, in the same transaction: a form saves
    all of its values or none.
    """
    require(actor, Permission.MANAGE_SETTINGS)
    settings = get_tenant_settings(uow.session, actor.tenant_id)
    wanted = {
        name: getattr(changes, name) for name in _FIELDS if getattr(changes, name) is not None
    }
    for name, value in wanted.items():
        _check(name, value)
    step = wanted.get("scarcity_step_bp", settings.scarcity_step_bp)
    most = wanted.get("scarcity_max_bp", settings.scarcity_max_bp)
    if most < step and {"scarcity_step_bp", "scarcity_max_bp"} & wanted.keys():
        raise ValidationFailed(
            "invalid_scarcity_max_bp",
            "The most scarcity can add cannot be less than one step.",
            field="scarcity_max_bp",
        )
    diff = {
        name: {"from": getattr(settings, name), "to": value}
        for name, value in wanted.items()
        if getattr(settings, name) != value
    }
    threshold = changes.trust_promotion_threshold
    if threshold is not None and threshold != settings.trust_promotion_threshold:
        change_promotion_threshold(uow.session, actor=actor, clean_payments=threshold)
    if diff:
        for name, change in diff.items():
            setattr(settings, name, change["to"])
        settings.updated_by_id = actor.user_id
        uow.session.add(settings)
        record_audit(
            uow.session,
            actor=actor,
            action="workspace.settings_changed",
            target_type="tenant_settings",
            target_id=settings.id,
            changes=diff,
        )
    uow.commit()
    if diff:
        invalidate_pricing_config(actor.tenant_id)
    return _view(uow, actor, settings)


def _check(name: str, value: Any) -> None:
    if name == "scarcity_enabled":
        if not isinstance(value, bool):
            raise ValidationFailed(
                "invalid_scarcity_enabled",
                "Say whether the scarcity surcharge is on or off.",
                field=name,
            )
        return
    low, high, message = _RANGES[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(f"invalid_{name}", message, field=name)


def _view(uow: UnitOfWork, actor: Actor, settings: TenantSettings) -> WorkspaceSettingsView:
    config = config_from_settings(settings)
    editor = uow.session.get(User, settings.updated_by_id) if settings.updated_by_id else None
    return WorkspaceSettingsView(
        cancellation_fee_cents=settings.cancellation_fee_cents,
        price_cap_bp=settings.price_cap_bp,
        quote_ttl_minutes=settings.quote_ttl_minutes,
        min_schedule_lead_minutes=settings.min_schedule_lead_minutes,
        scarcity_enabled=settings.scarcity_enabled,
        scarcity_min_providers=settings.scarcity_min_providers,
        scarcity_step_bp=settings.scarcity_step_bp,
        scarcity_max_bp=settings.scarcity_max_bp,
        trust_promotion_threshold=settings.trust_promotion_threshold,
        referral_reward_cents=settings.referral_reward_cents,
        provider_referral_bonus_cents=settings.provider_referral_bonus_cents,
        default_provider_share_bp=settings.default_provider_share_bp,
        dispatch=DispatchSettingsView(
            radius_miles=config.radius_miles,
            expanded_radius_miles=config.expanded_radius_miles,
            offer_timeout_seconds=config.offer_timeout_seconds,
            max_attempts=config.max_attempts,
            max_concurrent_jobs=config.max_concurrent_jobs,
            location_fresh_seconds=config.location_fresh_seconds,
            weights=dict(config.weights),
            b2b_weights=dict(config.b2b_weights),
        ),
        can_change=actor.can(Permission.MANAGE_SETTINGS),
        updated_at=settings.updated_at if settings.updated_by_id else None,
        updated_by_name=editor.name if editor is not None else "",
        timezone=get_tenant(uow.session, actor.tenant_id).timezone,
    )
