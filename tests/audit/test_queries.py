"""The audit log reader: newest first, keyset pages of at most 50, filters in SQL, one tenant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.audit.queries import (
    AuditFilters,
    audit_filter_options,
    list_audit_entries,
)
from roadside_console.domain.core.auth import Role
from roadside_console.domain.core.errors import Forbidden, ValidationFailed
from tests.factories import actor_of, make_tenant, make_user

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def entry(session, tenant, at, *, user=None, action="payment.confirmed", target="payment", **kw):
    row = AuditEntry(
        tenant_id=tenant.id,
        actor_id=user.id if user else None,
        actor_role=user.role if user else None,
        action=action,
        target_type=target,
        created_at=at,
        **kw,
    )
    session.add(row)
    return row


def all_pages(uow_factory, actor, filters=AuditFilters(), page_size=50):
    pages, cursor = [], None
    while True:
        with uow_factory() as uow:
            page = list_audit_entries(
                uow, actor=actor, filters=filters, after=cursor, page_size=page_size
            )
        pages.append(page)
        cursor = page.next_cursor
        if cursor is None:
            return pages


def test_pages_hold_at_most_50_newest_first_without_gaps_or_repeats(session, uow_factory):
    # given 120 entries, the last ten written in the same instant
    tenant = make_tenant(session)
    finance = make_user(session, tenant, role=Role.FINANCE)
    written = [entry(session, tenant, START + timedelta(minutes=i)) for i in range(110)]
    same = START + timedelta(days=1)
    written += [entry(session, tenant, same) for _ in range(10)]
    session.commit()

    # when the reader asks for 80 at a time
    pages = all_pages(uow_factory, actor_of(finance), page_size=80)

    # then the size is capped at 50 and every entry comes once, newest first
    assert [len(p.rows) for p in pages] == [50, 50, 20]
    seen = [row.entry_id for page in pages for row in page.rows]
    assert sorted(seen) == sorted(e.id for e in written)
    times = [row.created_at for page in pages for row in page.rows]
    assert times == sorted(times, reverse=True)


def test_filters_narrow_by_actor_action_target_and_local_dates(session, uow_factory):
    # given
    tenant, other = make_tenant(session), make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    finance = make_user(session, tenant, role=Role.FINANCE)
    # 2026-03-02 04:30 UTC is 1 March 23:30 in New York
    late_on_march_1 = datetime(2026, 3, 2, 4, 30, tzinfo=UTC)
    mine = entry(
        session,
        tenant,
        late_on_march_1,
        user=admin,
        action="storm_mode_activated",
        target="time_block",
        target_id="blk-1",
        reason="Ice",
        changes={"template": "Ice Storm", "multiplier_bp": {"from": 10000, "to": 15000}},
    )
    system = entry(session, tenant, START, action="payment.expired")
    later = entry(session, tenant, START + timedelta(days=2), user=finance)
    entry(session, other, late_on_march_1, action="storm_mode_activated", target="time_block")
    session.commit()
    reader = actor_of(finance)

    def ids(**filters):
        return [
            r.entry_id
            for p in all_pages(uow_factory, reader, AuditFilters(**filters))
            for r in p.rows
        ]

    # then
    assert ids(actor_id=admin.id) == [mine.id]
    assert ids(system_only=True) == [system.id]
    assert ids(action="storm_mode_activated") == [mine.id]
    assert ids(target_type="time_block", target_id="blk-1") == [mine.id]
    assert ids(start=date(2026, 3, 1), end=date(2026, 3, 1)) == [mine.id, system.id]
    assert ids(start=date(2026, 3, 2)) == [later.id]
    [row] = all_pages(uow_factory, reader, AuditFilters(actor_id=admin.id))[0].rows
    assert (row.actor_name, row.actor_role, row.reason) == (admin.name, "admin", "Ice")
    assert row.changes == (("template", "Ice Storm"), ("multiplier_bp", "10000 → 15000"))
    assert all_pages(uow_factory, reader, AuditFilters(system_only=True))[0].rows[0].actor_name == (
        "System"
    )


def test_the_filter_options_list_this_tenants_actors_actions_and_targets(session, uow_factory):
    tenant, other = make_tenant(session), make_tenant(session)
    admin = make_user(session, tenant, role=Role.ADMIN)
    stranger = make_user(session, other, role=Role.ADMIN)
    entry(session, tenant, START, user=admin, action="service.updated", target="service")
    entry(session, tenant, START, action="payment.expired")
    entry(session, other, START, user=stranger, action="trust.promoted", target="user")
    session.commit()
    with uow_factory() as uow:
        options = audit_filter_options(uow, actor=actor_of(admin))
    assert options.actors == ((admin.id, admin.name),)
    assert options.actions == ("payment.expired", "service.updated")
    assert options.target_types == ("payment", "service")


def test_a_forged_cursor_or_a_backwards_range_is_refused(session, uow_factory):
    tenant = make_tenant(session)
    reader = actor_of(make_user(session, tenant, role=Role.ADMIN))
    for cursor in ("nonsense", "2026-03-01T12:00:00|not-a-uuid", "2026-03-01T12:00:00|" + "0" * 32):
        with uow_factory() as uow, pytest.raises(ValidationFailed):
            list_audit_entries(uow, actor=reader, filters=AuditFilters(), after=cursor)
    with uow_factory() as uow, pytest.raises(ValidationFailed):
        list_audit_entries(
            uow, actor=reader, filters=AuditFilters(start=date(2026, 3, 2), end=date(2026, 3, 1))
        )


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.PROVIDER, Role.CUSTOMER])
def test_only_finance_and_admins_read_the_audit_log(session, uow_factory, role):
    tenant = make_tenant(session)
    user = actor_of(make_user(session, tenant, role=role))
    with uow_factory() as uow, pytest.raises(Forbidden):
        list_audit_entries(uow, actor=user, filters=AuditFilters())
    with uow_factory() as uow, pytest.raises(Forbidden):
        audit_filter_options(uow, actor=user)
