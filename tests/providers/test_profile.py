"""A provider reads their own profile: standing, rating, and credentials with what expiry means."""

from __future__ import annotations

from datetime import date

import pytest

from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden
from roadside_console.domain.providers.models import CredentialKind, ProviderStatus
from roadside_console.domain.providers.profile import my_profile
from tests.dispatch.support import NOW, credential
from tests.factories import actor_of, make_provider, make_tenant, make_user
from tests.providers.support import actor_for

# NOW is 10 March 2026 in New York.


def test_a_provider_sees_their_standing_and_each_credential_with_its_expiry(session, uow_factory):
    # given a pending provider with a renewed insurance, an old licence and a review average
    tenant = make_tenant(session)
    provider = make_provider(
        session,
        tenant,
        name="Lena Ortiz",
        status=ProviderStatus.PENDING,
        is_available=False,
        specialties=["towing", "lockout"],
        rating_total=9,
        review_count=2,
    )
    credential(session, provider, CredentialKind.INSURANCE, date(2026, 2, 1))
    credential(session, provider, CredentialKind.INSURANCE, date(2027, 2, 1))
    credential(session, provider, CredentialKind.DRIVERS_LICENCE, date(2026, 3, 9))
    credential(session, provider, CredentialKind.CERTIFICATION, date(2026, 3, 30))
    # when
    with uow_factory() as uow:
        profile = my_profile(uow, actor=actor_for(session, provider), now=NOW)
    # then
    assert (profile.name, profile.status, profile.available) == ("Lena Ortiz", "pending", False)
    assert (profile.specialties, profile.rating, profile.review_count) == (
        ["towing", "lockout"],
        4.5,
        2,
    )
    assert [
        (c.kind, c.expires_on.isoformat(), c.state, c.days_left) for c in profile.credentials
    ] == [
        ("certification", "2026-03-30", "expiring", 20),
        ("drivers_licence", "2026-03-09", "expired", -1),
        ("insurance", "2027-02-01", "valid", 328),
        ("insurance", "2026-02-01", "replaced", -37),
    ]
    assert profile.dispatch_blockers == ["Drivers licence expired on 2026-03-09"]
    assert profile.timezone == "America/New_York"


def test_staff_have_no_provider_profile_to_read(session, uow_factory):
    admin = make_user(session, make_tenant(session), role=Role.ADMIN)
    with uow_factory() as uow, pytest.raises(Forbidden):
        my_profile(uow, actor=actor_of(admin))
