import pytest

from roadside_console.domain.catalog.models import SchedulingMode
from roadside_console.domain.catalog.queries import booking_form_options
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from tests.factories import actor_of, make_service, make_tenant, make_user


def test_the_form_offers_active_services_in_catalog_order_with_their_rules(session, uow_factory):
    tenant = make_tenant(session, tz="America/Chicago")
    dispatcher = actor_of(make_user(session, tenant, role=Role.DISPATCHER))
    make_service(session, tenant, name="Towing", per_mile_cents=300, sort_order=2)
    make_service(
        session, tenant, name="Diagnostics", scheduling_mode=SchedulingMode.SCHEDULED, sort_order=1
    )
    make_service(session, tenant, name="Retired", active=False, sort_order=0)
    with uow_factory() as uow:
        options = booking_form_options(uow, actor=dispatcher)
    assert [s.name for s in options.services] == ["Diagnostics", "Towing"]
    assert options.services[0].scheduling_mode == "scheduled"
    assert options.services[1].per_mile_cents == 300
    assert options.timezone == "America/Chicago"


def test_finance_does_not_get_the_booking_form(session, uow_factory):
    tenant = make_tenant(session)
    finance = actor_of(make_user(session, tenant, role=Role.FINANCE))
    with uow_factory() as uow, pytest.raises(Forbidden):
        booking_form_options(uow, actor=finance)
