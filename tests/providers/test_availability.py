import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Conflict, Forbidden
from roadside_console.domain.providers import service
from roadside_console.domain.providers.models import ProviderStatus
from tests.factories import actor_of, make_provider, make_tenant, make_user
from tests.providers.support import actor_for, reloaded


def _set(uow_factory, actor, available):
    with uow_factory() as uow:
        return service.set_availability(uow, actor=actor, available=available)


def test_an_active_provider_goes_off_and_back_on_duty(session, uow_factory):
    # given an active provider on duty
    provider = make_provider(session, make_tenant(session), is_available=True)
    actor = actor_for(session, provider)
    # when they go off duty, then on again
    off = _set(uow_factory, actor, False)
    assert reloaded(session, provider).is_available is False
    on = _set(uow_factory, actor, True)
    # then each answer says so and the profile follows
    assert (off.available, on.available, on.status) == (False, True, "active")
    assert reloaded(session, provider).is_available is True


@pytest.mark.parametrize("status", [ProviderStatus.PENDING, ProviderStatus.INACTIVE])
def test_a_provider_who_is_not_active_cannot_go_available_but_can_go_off(
    session, uow_factory, status
):
    # given a pending (not yet approved) or deactivated provider
    provider = make_provider(session, make_tenant(session), status=status, is_available=False)
    actor = actor_for(session, provider)
    # when they try to go available
    with pytest.raises(Conflict) as refused:
        _set(uow_factory, actor, True)
    # then they are told why, with the field, and stay unavailable; going off is always fine
    assert (refused.value.code, refused.value.field) == ("provider_not_active", "available")
    assert status.value in refused.value.message
    assert reloaded(session, provider).is_available is False
    assert _set(uow_factory, actor, False).available is False


def test_a_customer_has_no_availability_to_set(session, uow_factory):
    # given a customer
    customer = make_user(session, make_tenant(session), role=Role.CUSTOMER)
    # when / then
    with pytest.raises(Forbidden):
        _set(uow_factory, actor_of(customer), True)
