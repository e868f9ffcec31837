from roadside_console.domain.referrals.public import is_code_valid_in_workspace
from tests.factories import make_tenant
from tests.referrals.support import customer_with_code


def _valid(uow_factory, workspace, code):
    with uow_factory() as uow:
        return is_code_valid_in_workspace(uow, workspace=workspace, code=code)


def test_a_customers_code_is_valid_in_their_workspace_however_it_is_typed(session, uow_factory):
    # given a customer with a code
    tenant = make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    typed = f" {code[:4].lower()}-{code[4:]} "
    # when / then
    assert _valid(uow_factory, tenant.slug, code) is True
    assert _valid(uow_factory, tenant.slug.upper(), typed) is True


def test_another_workspace_an_unknown_one_and_a_bad_code_all_just_say_no(session, uow_factory):
    # given a code of one workspace, and another workspace
    tenant, other = make_tenant(session), make_tenant(session)
    _, code = customer_with_code(session, uow_factory, tenant)
    # when / then: the same bare "no" whatever is wrong
    assert _valid(uow_factory, other.slug, code) is False
    assert _valid(uow_factory, "no-such-workspace", code) is False
    assert _valid(uow_factory, tenant.slug, "AAAAAAAA") is False
    assert _valid(uow_factory, tenant.slug, "not a code at all") is False
