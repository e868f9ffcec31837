import pytest
from hypothesis import given
from hypothesis import strategies as st

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.bookings.rules import (
    TERMINAL,
    TRANSITIONS,
    allowed_targets,
    cancellation_fee_cents,
    check_transition,
)
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import DomainError, Forbidden, InvalidTransition

S = BookingStatus
ROLES = [*Role, None]


@pytest.mark.parametrize(
    ("role", "frm", "to", "own", "reason"),
    [
        (Role.DISPATCHER, S.PENDING, S.CONFIRMED, False, None),
        (None, S.CONFIRMED, S.DISPATCHED, False, None),
        (Role.PROVIDER, S.DISPATCHED, S.IN_PROGRESS, True, None),
        (Role.PROVIDER, S.DISPATCHED, S.CONFIRMED, True, "flat tyre myself"),
        (Role.PROVIDER, S.IN_PROGRESS, S.COMPLETED, True, None),
        (Role.ADMIN, S.IN_PROGRESS, S.COMPLETED, False, "provider's phone died"),
        (Role.CUSTOMER, S.PENDING, S.CANCELLED, True, None),
        (Role.CUSTOMER, S.DISPATCHED, S.CANCELLED, True, None),
        (Role.DISPATCHER, S.DISPATCHED, S.CANCELLED, False, "duplicate booking"),
    ],
)
def test_the_documented_transitions_are_allowed(role, frm, to, own, reason):
    check_transition(role=role, from_status=frm, to_status=to, is_own=own, reason=reason)


@pytest.mark.parametrize(
    ("role", "frm", "to", "own", "error"),
    [
        (Role.ADMIN, S.PENDING, S.COMPLETED, False, InvalidTransition),
        (Role.ADMIN, S.COMPLETED, S.CANCELLED, False, InvalidTransition),
        (Role.ADMIN, S.CANCELLED, S.PENDING, False, InvalidTransition),
        (Role.CUSTOMER, S.IN_PROGRESS, S.CANCELLED, True, InvalidTransition),
        (Role.CUSTOMER, S.PENDING, S.CONFIRMED, True, Forbidden),
        (Role.CUSTOMER, S.PENDING, S.CANCELLED, False, Forbidden),
        (Role.PROVIDER, S.DISPATCHED, S.IN_PROGRESS, False, Forbidden),
        (Role.FINANCE, S.PENDING, S.CONFIRMED, False, Forbidden),
        (Role.ADMIN, S.DISPATCHED, S.IN_PROGRESS, False, Forbidden),
        (Role.ADMIN, S.IN_PROGRESS, S.COMPLETED, False, InvalidTransition),  # no reason
    ],
)
def test_illegal_or_unauthorised_transitions_are_typed_errors(role, frm, to, own, error):
    with pytest.raises(error):
        check_transition(role=role, from_status=frm, to_status=to, is_own=own, reason=None)


def test_cancelling_is_possible_only_before_the_job_starts():
    cancellable = {frm for (frm, to) in TRANSITIONS if to is S.CANCELLED}
    assert cancellable == {S.PENDING, S.CONFIRMED, S.DISPATCHED}


def test_only_a_customer_cancelling_a_dispatched_job_pays_the_fee():
    assert cancellation_fee_cents(S.DISPATCHED, Role.CUSTOMER, 2500) == 2500
    assert cancellation_fee_cents(S.CONFIRMED, Role.CUSTOMER, 2500) == 0
    assert cancellation_fee_cents(S.DISPATCHED, Role.DISPATCHER, 2500) == 0


def test_the_buttons_a_provider_sees_on_a_dispatched_job_are_accept_and_reject():
    assert set(allowed_targets(S.DISPATCHED, Role.PROVIDER)) == {S.IN_PROGRESS, S.CONFIRMED}


@given(
    st.lists(
        st.tuples(st.sampled_from(ROLES), st.sampled_from(list(S)), st.booleans()), max_size=30
    )
)
def test_no_sequence_of_attempts_leaves_the_lifecycle(attempts):
    # given a booking that any actor keeps trying to move anywhere
    status = S.PENDING
    seen = [status]
    for role, target, own in attempts:
        try:
            check_transition(
                role=role, from_status=status, to_status=target, is_own=own, reason="because"
            )
        except DomainError:
            continue
        # then every accepted move is in the table and nothing leaves a terminal state
        assert (status, target) in TRANSITIONS
        assert status not in TERMINAL
        status = target
        seen.append(status)
    if S.COMPLETED in seen:
        assert S.IN_PROGRESS in seen[: seen.index(S.COMPLETED)]
