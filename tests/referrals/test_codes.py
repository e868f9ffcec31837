import re

import pytest
from sqlmodel import select

from roadside_console.domain.bookings.models import BookingStatus
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden, ValidationFailed
from roadside_console.domain.identity.models import User
from roadside_console.domain.referrals import service as referrals
from roadside_console.domain.referrals.models import Referral, ReferralKind, ReferralStatus
from tests.factories import actor_of, make_booking, make_tenant, make_user
from tests.referrals.support import customer_with_code, grant_credit


def test_a_customer_gets_one_eight_character_code_without_ambiguous_letters(session, uow_factory):
    # given a customer without a code
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    # when they ask for their code twice
    with uow_factory() as uow:
        first = referrals.referral_code_for(uow, actor=actor_of(customer))
    with uow_factory() as uow:
        second = referrals.referral_code_for(uow, actor=actor_of(customer))
    # then it is issued once, 8 characters long, and free of 0/O, 1/I/L, 5/S, 2/Z, 8/B
    assert first == second
    assert re.fullmatch(r"[ACDEFGHJKMNPQRTUVWXY34679]{8}", first)
    session.expire_all()
    assert session.get(User, customer.id).referral_code == first


def test_codes_are_unique_per_tenant_even_when_the_generator_repeats_itself(
    session, uow_factory, monkeypatch
):
    # given a generator that draws the same code twice, then another
    draws = iter(["ACDEFGHJ", "ACDEFGHJ", "ACDEFGHJ", "KMNPQRTU", "ACDEFGHJ"])
    monkeypatch.setattr(referrals, "new_referral_code", lambda: next(draws))
    tenant, other_tenant = make_tenant(session), make_tenant(session)
    # when two customers of one tenant and one of another ask for codes
    _, first = customer_with_code(session, uow_factory, tenant)
    _, second = customer_with_code(session, uow_factory, tenant)
    _, elsewhere = customer_with_code(session, uow_factory, other_tenant)
    # then the second customer of the tenant gets a fresh code; other tenants may reuse one
    assert (first, second) == ("ACDEFGHJ", "KMNPQRTU")
    assert elsewhere == "ACDEFGHJ"


def test_only_customers_have_referral_codes(session, uow_factory):
    tenant = make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    with uow_factory() as uow, pytest.raises(Forbidden):
        referrals.referral_code_for(uow, actor=actor_of(admin))


def test_validate_code_accepts_codes_of_this_tenant_only_and_forgives_case_and_dashes(
    session, uow_factory
):
    # given a customer's code in one tenant
    tenant, other_tenant = make_tenant(session), make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    # when / then
    assert referrals.validate_code(session, tenant_id=tenant.id, code=code)
    assert referrals.validate_code(
        session, tenant_id=tenant.id, code=f" {code[:4].lower()}-{code[4:]} "
    )
    assert not referrals.validate_code(session, tenant_id=other_tenant.id, code=code)
    assert not referrals.validate_code(session, tenant_id=tenant.id, code="00000000")


def test_a_new_customer_applies_a_friends_code_once(session, uow_factory):
    # given a referrer's code and a new customer
    tenant = make_tenant(session)
    referrer, code = customer_with_code(session, uow_factory, tenant)
    referee = make_user(session, tenant, role=Role.CUSTOMER)
    # when the new customer applies it
    with uow_factory() as uow:
        referrals.apply_referral_code(uow, actor=actor_of(referee), code=code.lower())
    # then a pending customer referral links them, and a second try is refused
    referral = session.exec(select(Referral).where(Referral.referee_id == referee.id)).one()
    assert (referral.kind, referral.status, referral.referrer_id) == (
        ReferralKind.CUSTOMER,
        ReferralStatus.PENDING,
        referrer.id,
    )
    assert session.get(User, referee.id).referred_by_id == referrer.id
    _, another = customer_with_code(session, uow_factory, tenant)
    with uow_factory() as uow, pytest.raises(Conflict) as error:
        referrals.apply_referral_code(uow, actor=actor_of(referee), code=another)
    assert (error.value.code, error.value.field) == ("referral_already_applied", "code")


def test_a_customer_cannot_apply_their_own_code(session, uow_factory):
    # given a customer with a code
    tenant = make_tenant(session)
    customer, code = customer_with_code(session, uow_factory, tenant)
    # when they apply it themselves
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        referrals.apply_referral_code(uow, actor=actor_of(customer), code=code)
    # then it is refused on the code field and nothing is written
    assert (error.value.code, error.value.field) == ("referral_code_own", "code")
    assert session.exec(select(Referral).where(Referral.referee_id == customer.id)).first() is None


@pytest.mark.parametrize(
    ("code", "error_code"),
    [
        ("ACDEFGH", "referral_code_invalid"),
        ("ACDEFGH0", "referral_code_invalid"),
        ("", "referral_code_invalid"),
        ("WXYWXYWX", "referral_code_unknown"),
    ],
)
def test_an_unknown_or_malformed_code_is_refused_on_the_code_field(
    session, uow_factory, code, error_code
):
    # given a new customer
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    # when they apply a code nobody has
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        referrals.apply_referral_code(uow, actor=actor_of(customer), code=code)
    # then
    assert (error.value.code, error.value.field) == (error_code, "code")


def test_a_customer_with_a_completed_job_is_no_longer_new(session, uow_factory):
    # given a customer whose first job is already done
    tenant = make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    make_booking(session, tenant, customer=customer, status=BookingStatus.COMPLETED)
    # when they apply a code
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        referrals.apply_referral_code(uow, actor=actor_of(customer), code=code)
    # then
    assert error.value.code == "referral_not_new_customer"


def test_customers_see_their_own_credit_and_staff_see_any_customers(session, uow_factory):
    # given a customer with $10 of credit
    tenant = make_tenant(session)
    customer = make_user(session, tenant, role=Role.CUSTOMER)
    other = make_user(session, tenant, role=Role.CUSTOMER)
    dispatcher = make_user(session, tenant, role=Role.DISPATCHER)
    grant_credit(session, tenant.id, customer.id, 1000)
    # when / then
    with uow_factory() as uow:
        assert referrals.credit_balance(uow, actor=actor_of(customer)) == 1000
        assert (
            referrals.credit_balance(uow, actor=actor_of(dispatcher), customer_id=customer.id)
            == 1000
        )
        with pytest.raises(Forbidden):
            referrals.credit_balance(uow, actor=actor_of(other), customer_id=customer.id)
