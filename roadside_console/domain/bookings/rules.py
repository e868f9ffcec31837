"""The booking lifecycle as one table: which role may move a booking from which state to which.

Every caller (console, API, worker) goes through `check_transition`, so there is exactly one
place that says what is legal. `None` as the role means the system itself (the worker).
"""

from __future__ import annotations

from dataclasses import dataclass

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, InvalidTransition

S = BookingStatus
STAFF = frozenset({Role.ADMIN, Role.DISPATCHER})
SYSTEM = None
BOOKERS = frozenset({Role.CUSTOMER, Role.PARTNER})  # who books for themselves (or their account)


@dataclass(frozen=True, slots=True)
class Rule:
    """Who may make one transition, and whether they must give a reason."""

    roles: frozenset[Role | None]
    staff_reason_required: bool = False
    own_booking_only: bool = False  # customers: their own booking; providers: assigned to them


TRANSITIONS: dict[tuple[BookingStatus, BookingStatus], Rule] = {
    (S.PENDING, S.CONFIRMED): Rule(STAFF | {SYSTEM}),
    (S.CONFIRMED, S.DISPATCHED): Rule(STAFF | {SYSTEM}),
    (S.DISPATCHED, S.IN_PROGRESS): Rule(frozenset({Role.PROVIDER}), own_booking_only=True),
    (S.DISPATCHED, S.CONFIRMED): Rule(
        frozenset({Role.PROVIDER, SYSTEM}) | STAFF, own_booking_only=True
    ),
    (S.IN_PROGRESS, S.COMPLETED): Rule(
        frozenset({Role.PROVIDER}) | STAFF, staff_reason_required=True, own_booking_only=True
    ),
    (S.PENDING, S.CANCELLED): Rule(
        BOOKERS | STAFF, staff_reason_required=True, own_booking_only=True
    ),
    (S.CONFIRMED, S.CANCELLED): Rule(
        BOOKERS | STAFF, staff_reason_required=True, own_booking_only=True
    ),
    (S.DISPATCHED, S.CANCELLED): Rule(
        BOOKERS | STAFF, staff_reason_required=True, own_booking_only=True
    ),
}

TERMINAL = frozenset({S.COMPLETED, S.CANCELLED})
CANCELLATION_FEE_FROM = frozenset({S.DISPATCHED})


def allowed_targets(status: BookingStatus, role: Role | None) -> list[BookingStatus]:
    """Return the states this role may move a booking to from `status` (for buttons)."""
    return [to for (frm, to), rule in TRANSITIONS.items() if frm is status and role in rule.roles]


def check_transition(
    *,
    role: Role | None,
    from_status: BookingStatus,
    to_status: BookingStatus,
    is_own: bool,
    reason: str | None,
) -> None:
    """Raise a typed error unless `role` may move a booking from `from_status` to `to_status`.

    `is_own` says whether a customer owns the booking or a provider is assigned to it; staff
    and the system act on any booking of their tenant.
    """
    rule = TRANSITIONS.get((from_status, to_status))
    if rule is None:
        raise InvalidTransition(
            "invalid_transition",
            f"A {from_status.value} booking cannot become {to_status.value}.",
            field="status",
        )
    if role not in rule.roles:
        raise Forbidden("transition_forbidden", "You may not make this change to the booking.")
    if role in (*BOOKERS, Role.PROVIDER) and rule.own_booking_only and not is_own:
        raise Forbidden("transition_forbidden", "You may not make this change to the booking.")
    if role in STAFF and rule.staff_reason_required and not (reason or "").strip():
        raise InvalidTransition("reason_required", "Give a reason for this change.", field="reason")


def cancellation_fee_cents(from_status: BookingStatus, role: Role | None, fee_cents: int) -> int:
    """Return what a cancellation costs: the tenant's fee once a provider is on the way.

    Customers pay it when they cancel a dispatched booking; staff cancellations are free (the
    operator decides, with a reason).
    """
    if role in BOOKERS and from_status in CANCELLATION_FEE_FROM:
        return fee_cents
    return 0
