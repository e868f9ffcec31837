"""Known tokens and workspaces are answered from memory; the answers stay the same."""

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.tenants import workspaces
from tests.api.bearer import bearer
from tests.factories import make_tenant, make_user

pytestmark = pytest.mark.anyio


async def test_a_guest_naming_a_known_workspace_needs_no_lookup_the_second_time(session):
    # given a workspace a guest has named once
    tenant = make_tenant(session)
    assert workspaces.tenant_for_caller(session, actor=None, workspace=tenant.slug) == tenant.id
    # when / then
    assert workspaces.cached_tenant_for_caller(actor=None, workspace=tenant.slug.upper()) == (
        tenant.id
    )


async def test_a_token_naming_another_known_workspace_is_still_refused(
    session, uow_factory, client
):
    # given a customer of one workspace and another workspace that is remembered
    mine, other = make_tenant(session), make_tenant(session)
    workspaces.tenant_for_caller(session, actor=None, workspace=other.slug)
    headers = bearer(uow_factory, make_user(session, mine, role=Role.CUSTOMER))
    # when
    response = await client.get(
        "/api/v1/catalog/services", headers={**headers, "X-Workspace": other.slug}
    )
    # then
    assert response.status_code == 422
    assert response.json()["code"] == "workspace_mismatch"
