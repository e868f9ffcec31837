"""Card checkout when no Stripe key is configured: the trust tier still answers first."""

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from tests.factories import PASSWORD
from tests.payments.support import make_world

pytestmark = pytest.mark.anyio


async def _bearer(client, world, user):
    response = await client.post(
        "/api/v1/auth/tokens",
        json={
            "workspace": world.tenant.slug,
            "email": user.email,
            "password": PASSWORD,
            "name": "test",
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def test_a_tier_1_customer_hears_the_allowed_methods_even_without_stripe(
    session, client, monkeypatch
):
    # given no card processor, and a customer who may not pay by card anyway
    monkeypatch.setenv("STRIPE_SECRET_KEY", "")
    world = make_world(session, tier=1)
    booking = world.booking(session)
    headers = await _bearer(client, world, world.customer)
    # when
    response = await client.post(f"/api/v1/bookings/{booking.id}/checkout", headers=headers)
    # then the answer is the tier's refusal (403, naming what is allowed), audited
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "payment_method_not_allowed"
    assert "cash" in body["detail"].lower()
    audit = session.exec(
        select(AuditEntry).where(
            AuditEntry.action == "payment.method_refused", AuditEntry.target_id == str(booking.id)
        )
    ).one()
    assert audit.changes["method"] == "stripe"
