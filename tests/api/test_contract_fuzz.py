"""Contract fuzzing: every operation, fed generated input, answers as its OpenAPI entry says.

Schemathesis reads the live document and, per operation, sends its examples, its coverage cases
and at most `MAX_EXAMPLES` random requests (valid and invalid ones) with a staff token of a
seeded workspace. Each answer must
not be a 5xx, must have a declared status and media type, and its body must match the declared
schema. It runs on SQLite only: the point is the contract, which does not depend on the
database (the role and tenant tests cover both); see docs/decisions.md.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_api
from api.deps import get_uow
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.settings import get_settings
from tests.api.bearer import bearer
from tests.factories import make_booking, make_tenant, make_user

MAX_EXAMPLES = 15
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

# One app for the module, so the schema is read once; each test points it at its own
# rolled-back transaction. Rate limits would turn a fuzz run into a wall of 429s.
app = create_api(rate_limits=False)
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


@pytest.fixture(scope="session")
def database_url(sqlite_url: str) -> str:
    """The fuzz run uses SQLite only (see the module docstring)."""
    return sqlite_url


@pytest.fixture()
def staff_headers(session, uow_factory, monkeypatch) -> Iterator[dict[str, str]]:
    """An admin token of a workspace with a customer's booking in it, the app on the test's data.

    Stripe webhooks are configured, so unsigned events get their 400 rather than the 503 that
    says the deployment is missing its secret.
    """
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_contract_fuzzing")
    get_settings.cache_clear()
    tenant = make_tenant(session)
    make_booking(session, tenant)
    app.dependency_overrides[get_uow] = uow_factory
    yield bearer(uow_factory, make_user(session, tenant, role=Role.ADMIN))
    app.dependency_overrides.clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_answers_within_its_declared_contract(case, staff_headers):
    # when the operation is called with generated input by a signed-in admin
    # then nothing is a server error and the answer matches what the document declares
    case.call_and_validate(headers=staff_headers, checks=CHECKS)
