import pytest

from roadside_console.domain.bookings.creation import BookingCreate, create_booking
from roadside_console.domain.bookings.detail import booking_detail
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import NotFound
from roadside_console.domain.dispatch.service import dispatch_booking
from roadside_console.domain.payments import service as payments
from roadside_console.domain.payments.models import PaymentMethod
from tests.factories import actor_of, make_provider, make_service, make_tenant, make_user


@pytest.fixture()
def desk(session):
    tenant = make_tenant(session)
    return {
        "tenant": tenant,
        "dispatcher": actor_of(make_user(session, tenant, role=Role.DISPATCHER)),
        "finance": actor_of(make_user(session, tenant, role=Role.FINANCE)),
        "service": make_service(session, tenant, name="Jump Start"),
        "provider": make_provider(session, tenant, name="Lena Ortiz"),
    }


def _phone_booking(uow_factory, desk):
    with uow_factory() as uow:
        return create_booking(
            uow,
            tenant_id=desk["tenant"].id,
            actor=desk["dispatcher"],
            data=BookingCreate(
                service_id=desk["service"].id,
                address="265 Park Ave W NW, Atlanta, GA 30313",
                lat=33.7628,
                lng=-84.3927,
                contact_name="Renee Alvarez",
                contact_phone="(404) 555-0177",
                vehicle={"make": "Honda", "model": "Civic"},
            ),
        )


def test_a_new_phone_booking_shows_its_price_history_and_next_steps(uow_factory, desk):
    # given a dispatcher's phone booking (confirmed at once)
    created = _phone_booking(uow_factory, desk)
    # when
    with uow_factory() as uow:
        detail = booking_detail(uow, actor=desk["dispatcher"], booking_id=created.booking_id)
    # then
    assert (detail.reference, detail.status, detail.contact_phone) == (
        created.reference,
        "confirmed",
        "+14045550177",
    )
    assert [(line.label, line.amount_cents) for line in detail.lines] == [
        (line["label"], line["amount_cents"]) for line in created.breakdown
    ]
    assert detail.lines[0].label == "Jump Start"
    assert detail.total_cents == created.total_cents
    assert [e.kind for e in detail.timeline] == ["booking_created", "status_changed"]
    assert detail.timeline[1].to_status == "confirmed"
    assert {"dispatch", "assign", "cancel"} <= detail.actions
    assert "record_payment" not in detail.actions  # money is finance's
    assert detail.open_offer is None


def test_the_open_offer_names_the_provider_and_its_deadline(uow_factory, desk):
    created = _phone_booking(uow_factory, desk)
    with uow_factory() as uow:
        outcome = dispatch_booking(uow, actor=desk["dispatcher"], booking_id=created.booking_id)
    with uow_factory() as uow:
        detail = booking_detail(uow, actor=desk["dispatcher"], booking_id=created.booking_id)
    assert detail.status == "dispatched"
    assert detail.open_offer is not None
    assert detail.open_offer.provider_name == "Lena Ortiz"
    assert detail.open_offer.expires_at == outcome.expires_at
    assert "dispatch" not in detail.actions
    assert "assign" in detail.actions  # reassigning is still possible


def test_finance_records_then_confirms_a_payment_from_the_booking(uow_factory, desk):
    created = _phone_booking(uow_factory, desk)
    with uow_factory() as uow:
        before = booking_detail(uow, actor=desk["finance"], booking_id=created.booking_id)
    assert "record_payment" in before.actions
    assert not {"dispatch", "assign", "cancel"} & before.actions
    with uow_factory() as uow:
        payments.record_payment(
            uow,
            actor=desk["finance"],
            booking_id=created.booking_id,
            method=PaymentMethod.CASH,
            reference="Receipt 1042",
        )
    with uow_factory() as uow:
        after = booking_detail(uow, actor=desk["finance"], booking_id=created.booking_id)
    [payment] = after.payments
    assert (payment.method, payment.status, payment.reference) == (
        "cash",
        "pending",
        "Receipt 1042",
    )
    assert "record_payment" not in after.actions
    assert "confirm_payment" in after.actions


def test_a_booking_of_another_tenant_is_not_found(session, uow_factory, desk):
    created = _phone_booking(uow_factory, desk)
    other = make_tenant(session)
    outsider = actor_of(make_user(session, other, role=Role.ADMIN))
    with uow_factory() as uow, pytest.raises(NotFound):
        booking_detail(uow, actor=outsider, booking_id=created.booking_id)


def test_money_and_note_actions_follow_the_roles(uow_factory, desk):
    # given a booking
    created = _phone_booking(uow_factory, desk)
    # when the dispatcher and finance open it
    with uow_factory() as uow:
        dispatcher = booking_detail(uow, actor=desk["dispatcher"], booking_id=created.booking_id)
    with uow_factory() as uow:
        finance = booking_detail(uow, actor=desk["finance"], booking_id=created.booking_id)
    # then the dispatcher may change the price and add notes but not refund; finance refunds
    assert {"override_price", "note"} <= dispatcher.actions
    assert "refund" not in dispatcher.actions
    assert {"refund", "note"} <= finance.actions
    assert "override_price" not in finance.actions
