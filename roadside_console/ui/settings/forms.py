"""The settings forms: which fields each section has, and what people type turned into values.

Only the shape of what is typed is checked here (dollars, a percentage, a whole number); the
ranges are the domain's, so its message shows under the field it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from roadside_console.domain.dispatch.rules import WEIGHT_KEYS
from roadside_console.domain.dispatch.schemas import DispatchSettingsView
from roadside_console.domain.tenants.settings_service import WorkspaceSettingsView
from roadside_console.ui.components.formatting import parse_dollars
from roadside_console.ui.pricing.forms import dollars_text
from roadside_console.ui.providers.forms import percent_text

_PERCENT = re.compile(r"^(\d{1,5})(?:\.(\d{1,2}))?\s*%?$")
_WHOLE = re.compile(r"^\d{1,6}$")


class Kind(StrEnum):
    """How a field is typed and shown."""

    DOLLARS = "dollars"
    PERCENT = "percent"
    WHOLE = "whole"


FORMAT_HINTS: dict[Kind, str] = {
    Kind.DOLLARS: "Enter dollars, like 25 or 25.50.",
    Kind.PERCENT: "Enter a percentage, like 70 or 12.5 (up to two decimals).",
    Kind.WHOLE: "Enter a whole number, like 15.",
}


@dataclass(frozen=True, slots=True)
class Field:
    """One input: the domain field it sets, its label with the unit, and what it does."""

    key: str
    label: str
    kind: Kind
    hint: str
    placeholder: str = ""


PRICING_FIELDS = (
    Field(
        "cancellation_fee_cents",
        "Cancellation fee ($)",
        Kind.DOLLARS,
        "What a customer pays to cancel once a provider is on the way; staff cancel for free. "
        "$0 to $500.",
        "25.00",
    ),
    Field(
        "price_cap_bp",
        "Price cap (% of the base price)",
        Kind.PERCENT,
        "The service charge never goes above this, whatever time block, storm or scarcity "
        "applies: 300 % is at most 3× the base price. 100 % to 1,000 %.",
        "300",
    ),
    Field(
        "quote_ttl_minutes",
        "Quote lifetime (minutes)",
        Kind.WHOLE,
        "How long a quoted price is held for the customer to book at it. 1 to 120 minutes.",
        "15",
    ),
    Field(
        "min_schedule_lead_minutes",
        "Minimum notice for scheduled bookings (minutes)",
        Kind.WHOLE,
        "How far ahead a booking for later must be made: 120 is two hours, 0 any time. "
        "Up to 10,080 (a week).",
        "120",
    ),
)
SCARCITY_FIELDS = (
    Field(
        "scarcity_min_providers",
        "When fewer providers are online than",
        Kind.WHOLE,
        "Counting providers who are active and on duty. 1 to 100.",
        "3",
    ),
    Field(
        "scarcity_step_bp",
        "Add per missing provider (%)",
        Kind.PERCENT,
        "With a threshold of 3, one provider online means two missing. 0 % to 100 %.",
        "5",
    ),
    Field(
        "scarcity_max_bp",
        "But never more than (%)",
        Kind.PERCENT,
        "The most the surcharge can add, at least one step. 0 % to 100 %.",
        "15",
    ),
)
DISPATCH_FIELDS = (
    Field(
        "radius_miles",
        "Search radius (miles)",
        Kind.WHOLE,
        "Providers this close to the customer are offered the job first.",
        "50",
    ),
    Field(
        "expanded_radius_miles",
        "Expanded radius (miles)",
        Kind.WHOLE,
        "How far dispatch looks when nobody is inside the search radius; at least that radius.",
        "100",
    ),
    Field(
        "offer_timeout_seconds",
        "Offer timeout (seconds)",
        Kind.WHOLE,
        "How long a provider has to accept an offer before it goes to the next one.",
        "60",
    ),
    Field(
        "max_attempts",
        "Offers before the manual queue",
        Kind.WHOLE,
        "After this many offers, a dispatcher assigns the job by hand (and is emailed once).",
        "3",
    ),
    Field(
        "max_concurrent_jobs",
        "Jobs per provider at once",
        Kind.WHOLE,
        "A provider with this many open jobs gets no new offers.",
        "3",
    ),
    Field(
        "location_fresh_seconds",
        "Location freshness (seconds)",
        Kind.WHOLE,
        "A provider's GPS fix counts as current for this long; after that dispatch uses their "
        "home base and the lists stop showing them online. 300 is five minutes.",
        "300",
    ),
)
WEIGHT_LABELS: dict[str, str] = {
    "eta": "Arrival time",
    "rating": "Rating",
    "specialty": "Specialty match",
    "workload": "Workload",
    "fairness": "Fairness (weekly earnings)",
}
TRUST_FIELDS = (
    Field(
        "trust_promotion_threshold",
        "Clean payments to earn card payments",
        Kind.WHOLE,
        "Customers move to tier 2, where they may pay by card, after this many confirmed "
        "payments without a dispute. 1 to 100.",
        "3",
    ),
    Field(
        "referral_reward_cents",
        "Referral reward ($)",
        Kind.DOLLARS,
        "Credit for both customers when someone they referred completes a first booking.",
        "10.00",
    ),
    Field(
        "provider_referral_bonus_cents",
        "Provider referral bonus ($)",
        Kind.DOLLARS,
        "Paid to a provider whose referred technician completes a first job.",
        "50.00",
    ),
    Field(
        "default_provider_share_bp",
        "Default provider share (%)",
        Kind.PERCENT,
        "The share of a job's price a newly invited provider starts on; each provider's page "
        "changes their own terms. 0 % to 100 %.",
        "70",
    ),
)


def weight_key(kind: str, factor: str) -> str:
    """The form key of one dispatch weight: "weights.eta", "b2b_weights.rating"."""
    return f"{kind}.{factor}"


WEIGHT_FIELD_KEYS = tuple(
    weight_key(kind, factor) for kind in ("weights", "b2b_weights") for factor in WEIGHT_KEYS
)
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "pricing": tuple(f.key for f in (*PRICING_FIELDS, *SCARCITY_FIELDS)),
    "dispatch": (*(f.key for f in DISPATCH_FIELDS), "weights", "b2b_weights", *WEIGHT_FIELD_KEYS),
    "trust": tuple(f.key for f in TRUST_FIELDS),
}


def parse_percent(text: str) -> int | None:
    """Return basis points for "300", "12.5", "7.25 %"; None for anything else."""
    match = _PERCENT.match(text.strip())
    if match is None:
        return None
    whole, fraction = match.groups()
    return int(whole) * 100 + int((fraction or "0").ljust(2, "0"))


def parse_whole(text: str) -> int | None:
    """Return a whole number typed as digits; None for anything else."""
    cleaned = text.strip().replace(",", "")
    return int(cleaned) if _WHOLE.match(cleaned) else None


def parse_value(kind: Kind, text: str) -> int | None:
    """Read one typed value as the domain's integer (cents, basis points or a count)."""
    if kind is Kind.DOLLARS:
        return parse_dollars(text)
    if kind is Kind.PERCENT:
        return parse_percent(text)
    return parse_whole(text)


def read_fields(
    fields: tuple[Field, ...], values: dict[str, str]
) -> tuple[dict[str, int], dict[str, str]]:
    """Read a section's fields: (values by domain field, format errors by field)."""
    parsed: dict[str, int] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        value = parse_value(spec.kind, values.get(spec.key, ""))
        if value is None:
            errors[spec.key] = FORMAT_HINTS[spec.kind]
        else:
            parsed[spec.key] = value
    return parsed, errors


def read_weights(values: dict[str, str]) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """Read both weight columns as basis points: ({"weights": {...}, ...}, format errors)."""
    weights: dict[str, dict[str, int]] = {"weights": {}, "b2b_weights": {}}
    errors: dict[str, str] = {}
    for kind, column in weights.items():
        for factor in WEIGHT_KEYS:
            key = weight_key(kind, factor)
            value = parse_percent(values.get(key, ""))
            if value is None:
                errors[key] = FORMAT_HINTS[Kind.PERCENT]
            else:
                column[factor] = value
    return weights, errors


def show_value(kind: Kind, value: int) -> str:
    """Show a domain integer the way its field takes it: 2500 cents → "25.00"."""
    if kind is Kind.DOLLARS:
        return dollars_text(value)
    if kind is Kind.PERCENT:
        return percent_text(value)
    return str(value)


def form_values(view: WorkspaceSettingsView) -> dict[str, str]:
    """Every field's text as the forms show it, from the saved settings."""
    values = {
        spec.key: show_value(spec.kind, getattr(view, spec.key))
        for spec in (*PRICING_FIELDS, *SCARCITY_FIELDS, *TRUST_FIELDS)
    }
    values.update(dispatch_values(view.dispatch))
    return values


def dispatch_values(view: DispatchSettingsView) -> dict[str, str]:
    """The dispatch form's texts, weights included, from the saved dispatch settings."""
    values = {spec.key: show_value(spec.kind, getattr(view, spec.key)) for spec in DISPATCH_FIELDS}
    for kind in ("weights", "b2b_weights"):
        for factor in WEIGHT_KEYS:
            values[weight_key(kind, factor)] = percent_text(getattr(view, kind)[factor])
    return values
