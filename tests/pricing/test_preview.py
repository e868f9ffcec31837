"""The storm-mode confirmation and the price calculator price with the real rules."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.pricing.preview import calculate_price, preview_storm_change
from roadside_console.domain.pricing.schemas import QuoteRequest
from roadside_console.domain.pricing.time_blocks import delete_time_block
from tests.factories import make_service
from tests.pricing.builders import at_local_hour
from tests.pricing.conftest import PricingWorld

MORNING = at_local_hour(10)  # Standard ×1.00
EVENING = at_local_hour(20)  # After-Hours ×1.25


def changes_of(preview) -> dict[str, tuple[int, int]]:
    return {c.service_name: (c.before_cents, c.after_cents) for c in preview.changes}


def test_the_storm_preview_shows_each_offered_service_before_and_after(
    session, uow_factory, world: PricingWorld
):
    # given a service that is not offered
    make_service(session, world.tenant, name="Retired", active=False)

    # when
    with uow_factory() as uow:
        morning = preview_storm_change(
            uow, actor=world.admin, template_id=world.ice_storm.id, at=MORNING
        )
        evening = preview_storm_change(
            uow, actor=world.admin, template_id=world.ice_storm.id, at=EVENING
        )

    # then: ×1.50 on top of the time block, rounded once, half-up (23 437.5 → 23 438)
    assert (morning.template_name, morning.multiplier_bp) == ("Ice Storm", 15000)
    assert changes_of(morning) == {"Towing": (12500, 18750), "Jump Start": (10000, 15000)}
    assert changes_of(evening) == {"Towing": (15625, 23438), "Jump Start": (12500, 18750)}
    assert (evening.local_hour, evening.timezone) == (20, "America/New_York")


def test_the_preview_is_what_estimates_charge_once_storm_mode_is_on(
    session, uow_factory, world: PricingWorld
):
    # given Game Day is on
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.game_day.id, reason="Game"
        )

    # when switching to Ice Storm is previewed, then done
    with uow_factory() as uow:
        preview = preview_storm_change(
            uow, actor=world.admin, template_id=world.ice_storm.id, at=MORNING
        )
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="Ice"
        )
    charged = pricing.price_request(
        session,
        tenant_id=world.tenant.id,
        actor=None,
        request=QuoteRequest(service_id=world.jump.id),
        now=MORNING,
    ).total_cents

    # then Game Day's ×1.30 is replaced, not stacked
    assert changes_of(preview)["Jump Start"] == (13000, 15000)
    assert charged == 15000


def test_previewing_storm_mode_off_drops_the_storm_multiplier(
    session, uow_factory, world: PricingWorld
):
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="Ice"
        )
    with uow_factory() as uow:
        preview = preview_storm_change(uow, actor=world.admin, template_id=None, at=MORNING)
    assert preview.template_name is None
    assert changes_of(preview)["Jump Start"] == (15000, 10000)


def test_the_storm_preview_refuses_other_tenants_templates_and_regular_blocks(
    session, uow_factory, world: PricingWorld
):
    regular = session.exec(
        select(TimeBlock).where(TimeBlock.tenant_id == world.tenant.id, TimeBlock.priority < 100)
    ).first()
    for template_id in (regular.id, uuid.uuid4()):
        with uow_factory() as uow, pytest.raises(NotFound):
            preview_storm_change(uow, actor=world.admin, template_id=template_id)
    with uow_factory() as uow, pytest.raises(Forbidden):
        preview_storm_change(uow, actor=world.dispatcher, template_id=world.ice_storm.id)


def test_the_calculator_explains_towing_25_miles_tonight_at_20(
    session, uow_factory, world: PricingWorld
):
    # when
    with uow_factory() as uow:
        result = calculate_price(
            uow, actor=world.admin, service_id=world.towing.id, at=EVENING, towing_miles=25
        )

    # then: $125 base, After-Hours ×1.25, 15 miles beyond the 10 included at $3.00
    lines = [(line.code, line.amount_cents) for line in result.breakdown.lines]
    assert lines == [("base", 12500), ("time_block", 3125), ("mileage", 4500)]
    assert result.breakdown.total_cents == 20125
    assert result.breakdown.lines[2].label == "15 mi beyond 10 included × $3.00"
    assert (result.providers_online, result.service_active) == (3, True)


def test_the_calculator_ignores_miles_for_a_flat_service_and_checks_the_distance(
    session, uow_factory, world: PricingWorld
):
    with uow_factory() as uow:
        flat = calculate_price(
            uow, actor=world.admin, service_id=world.jump.id, at=MORNING, towing_miles=40
        )
    assert flat.breakdown.total_cents == 10000
    with uow_factory() as uow, pytest.raises(ValidationFailed):
        calculate_price(
            uow, actor=world.admin, service_id=world.towing.id, at=MORNING, towing_miles=-1
        )
    with uow_factory() as uow, pytest.raises(Forbidden):
        calculate_price(uow, actor=world.customer, service_id=world.jump.id, at=MORNING)


def test_deleting_a_time_block_is_audited_and_estimates_stop_using_it(
    session, uow_factory, world: PricingWorld
):
    # given
    after_hours = session.exec(
        select(TimeBlock).where(
            TimeBlock.tenant_id == world.tenant.id, TimeBlock.name == "After-Hours"
        )
    ).one()

    # when
    with uow_factory() as uow:
        view = delete_time_block(uow, actor=world.admin, block_id=after_hours.id, reason="Flat")

    # then
    assert view.name == "After-Hours"
    with uow_factory() as uow:
        evening = calculate_price(uow, actor=world.admin, service_id=world.jump.id, at=EVENING)
    assert evening.breakdown.total_cents == 10000
    entry = session.exec(select(AuditEntry).where(AuditEntry.tenant_id == world.tenant.id)).one()
    assert (entry.action, entry.reason, entry.changes["multiplier_bp"]) == (
        "time_block_deleted",
        "Flat",
        12500,
    )


def test_the_storm_mode_in_force_cannot_be_deleted(session, uow_factory, world: PricingWorld):
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="Ice"
        )
    with uow_factory() as uow, pytest.raises(Conflict) as error:
        delete_time_block(uow, actor=world.admin, block_id=world.ice_storm.id)
    assert error.value.code == "storm_template_active"
    assert session.get(TimeBlock, world.ice_storm.id) is not None
    with uow_factory() as uow, pytest.raises(Forbidden):
        delete_time_block(uow, actor=world.dispatcher, block_id=world.game_day.id)
