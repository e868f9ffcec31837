"""Storm mode and time-block editing: exclusive, permissioned, audited, seen at once."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.core.errors import Forbidden, NotFound, ValidationFailed
from roadside_console.domain.pricing import service as pricing
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.pricing.schemas import QuoteRequest, TimeBlockInput
from tests.pricing.builders import at_local_hour
from tests.pricing.conftest import PricingWorld, add_pricing_world

NOW = at_local_hour(10)


def active_storms(session, world: PricingWorld) -> list[str]:
    return sorted(
        b.name
        for b in session.exec(
            select(TimeBlock).where(
                TimeBlock.tenant_id == world.tenant.id, TimeBlock.priority >= 100, TimeBlock.active
            )
        )
    )


def audit_of(session, world: PricingWorld) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.tenant_id == world.tenant.id)
            .order_by(AuditEntry.created_at)
        )
    )


def estimate(session, world: PricingWorld) -> int:
    return pricing.price_request(
        session,
        tenant_id=world.tenant.id,
        actor=None,
        request=QuoteRequest(service_id=world.jump.id),
        now=NOW,
    ).total_cents


def test_activating_a_storm_template_turns_the_others_off_and_is_audited(
    session, uow_factory, world
):
    # given
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.game_day.id, reason="Falcons home game"
        )

    # when
    with uow_factory() as uow:
        view = pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="  Ice on I-285  "
        )

    # then
    assert view.name == "Ice Storm" and view.active and view.is_storm
    assert active_storms(session, world) == ["Ice Storm"]
    entries = audit_of(session, world)
    assert [e.action for e in entries] == ["storm_mode_activated", "storm_mode_activated"]
    last = entries[-1]
    assert (last.actor_id, last.actor_role) == (world.admin.user_id, world.admin.role)
    assert last.reason == "Ice on I-285"
    assert last.target_id == str(world.ice_storm.id)
    assert last.changes["deactivated"] == ["Game Day"]


def test_new_estimates_see_storm_mode_at_once(session, uow_factory, world):
    # given
    before = estimate(session, world)

    # when
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="Ice"
        )
    during = estimate(session, world)
    with uow_factory() as uow:
        pricing.deactivate_storm_mode(uow, actor=world.admin, reason="Roads clear")
    after = estimate(session, world)

    # then
    assert (before, during, after) == (10000, 15000, 10000)


def test_deactivating_storm_mode_turns_every_template_off_and_is_audited(
    session, uow_factory, world
):
    # given
    with uow_factory() as uow:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason="Ice"
        )

    # when
    with uow_factory() as uow:
        turned_off = pricing.deactivate_storm_mode(uow, actor=world.admin, reason="Roads clear")

    # then
    assert [v.name for v in turned_off] == ["Ice Storm"]
    assert active_storms(session, world) == []
    last = audit_of(session, world)[-1]
    assert (last.action, last.reason, last.actor_id) == (
        "storm_mode_deactivated",
        "Roads clear",
        world.admin.user_id,
    )
    assert last.changes == {"deactivated": ["Ice Storm"]}


def test_only_someone_who_manages_pricing_can_switch_storm_mode(session, uow_factory, world):
    # given / when
    with uow_factory() as uow, pytest.raises(Forbidden):
        pricing.activate_storm_mode(
            uow, actor=world.dispatcher, template_id=world.ice_storm.id, reason="Ice"
        )
    with uow_factory() as uow, pytest.raises(Forbidden):
        pricing.deactivate_storm_mode(uow, actor=world.customer, reason="Cheaper please")

    # then
    assert active_storms(session, world) == []
    assert audit_of(session, world) == []


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_storm_mode_needs_a_reason(session, uow_factory, world, reason):
    # given / when
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        pricing.activate_storm_mode(
            uow, actor=world.admin, template_id=world.ice_storm.id, reason=reason
        )

    # then
    assert (error.value.code, error.value.field) == ("reason_required", "reason")
    assert active_storms(session, world) == []


def test_a_regular_block_or_another_tenants_template_is_not_a_storm_template(
    session, uow_factory, world
):
    # given
    other = add_pricing_world(session)
    standard = session.exec(
        select(TimeBlock).where(
            TimeBlock.tenant_id == world.tenant.id, TimeBlock.name == "Standard"
        )
    ).one()

    # when / then
    for template_id in (standard.id, other.ice_storm.id, uuid.uuid4()):
        with uow_factory() as uow, pytest.raises(NotFound) as error:
            pricing.activate_storm_mode(
                uow, actor=world.admin, template_id=template_id, reason="Ice"
            )
        assert error.value.code == "storm_template_not_found"
    assert active_storms(session, world) == active_storms(session, other) == []


def test_an_admin_adds_a_time_block_and_estimates_use_it_at_once(session, uow_factory, world):
    # given
    data = TimeBlockInput(
        name=" Rush ", start_hour=10, end_hour=11, multiplier_bp=11000, priority=20
    )

    # when
    with uow_factory() as uow:
        view = pricing.save_time_block(uow, actor=world.admin, data=data)

    # then
    assert (view.name, view.is_storm, view.active) == ("Rush", False, True)
    assert estimate(session, world) == 11000
    last = audit_of(session, world)[-1]
    assert (last.action, last.target_id) == ("time_block_created", str(view.id))


def test_an_admin_edits_a_time_block_and_the_audit_says_what_changed(session, uow_factory, world):
    # given
    standard = session.exec(
        select(TimeBlock).where(
            TimeBlock.tenant_id == world.tenant.id, TimeBlock.name == "Standard"
        )
    ).one()
    data = TimeBlockInput(
        name="Standard", start_hour=7, end_hour=18, multiplier_bp=10000, priority=10
    )

    # when
    with uow_factory() as uow:
        pricing.save_time_block(
            uow, actor=world.admin, data=data, block_id=standard.id, reason="Open at 7"
        )

    # then
    last = audit_of(session, world)[-1]
    assert last.action == "time_block_updated"
    assert last.changes == {"start_hour": {"from": 6, "to": 7}}
    assert last.reason == "Open at 7"


def test_a_storm_template_cannot_be_switched_on_by_editing_it(session, uow_factory, world):
    # given
    data = TimeBlockInput(
        name="Ice Storm", start_hour=0, end_hour=24, multiplier_bp=15000, priority=100, active=True
    )

    # when
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        pricing.save_time_block(uow, actor=world.admin, data=data, block_id=world.ice_storm.id)

    # then
    assert error.value.code == "use_storm_mode"
    assert active_storms(session, world) == []


def test_an_invalid_time_block_is_refused_and_nothing_is_written(session, uow_factory, world):
    # given
    before = len(pricing.list_time_blocks(session, actor=world.admin))
    data = TimeBlockInput(name="Bad", start_hour=6, end_hour=25, multiplier_bp=10000)

    # when
    with uow_factory() as uow, pytest.raises(ValidationFailed) as error:
        pricing.save_time_block(uow, actor=world.admin, data=data)

    # then
    assert (error.value.code, error.value.field) == ("invalid_end_hour", "end_hour")
    assert len(pricing.list_time_blocks(session, actor=world.admin)) == before
    assert audit_of(session, world) == []


def test_another_tenants_time_block_cannot_be_edited(session, uow_factory, world):
    # given
    other = add_pricing_world(session)
    data = TimeBlockInput(name="Mine now", start_hour=0, end_hour=24, multiplier_bp=10000)

    # when / then
    with uow_factory() as uow, pytest.raises(NotFound):
        pricing.save_time_block(uow, actor=world.admin, data=data, block_id=other.game_day.id)
    assert session.get(TimeBlock, other.game_day.id).name == "Game Day"


def test_the_pricing_page_lists_regular_blocks_before_storm_templates(session, world):
    # given / when
    views = pricing.list_time_blocks(session, actor=world.admin)

    # then
    assert [v.name for v in views] == ["Standard", "After-Hours", "Game Day", "Ice Storm"]
    assert [v.is_storm for v in views] == [False, False, True, True]
