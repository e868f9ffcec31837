"""The audit page builds and shows entries the way people read them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from roadside_console.domain.audit.queries import AuditRow
from roadside_console.ui.audit.page import audit_line, audit_page


def test_the_audit_page_builds_its_component_tree():
    rendered = str(audit_page().render())
    for element in ("audit-actor", "audit-action", "audit-target-type", "audit-start"):
        assert element in rendered


def test_an_entry_reads_on_the_business_clock_with_its_changes_and_a_booking_link():
    booking_id = str(uuid.uuid4())
    row = AuditRow(
        entry_id=uuid.uuid4(),
        created_at=datetime(2026, 3, 2, 4, 30, 5, tzinfo=UTC),
        actor_name="Avery Admin",
        actor_role="admin",
        action="booking.rescheduled",
        target_type="booking",
        target_id=booking_id,
        reason="",
        changes=(("scheduled_at", "2026-03-02 → 2026-03-03"),),
    )
    line = audit_line(row, "America/New_York")
    assert line.when == "Mar 01, 2026 11:30:05 PM"
    assert line.target_link == f"/admin/bookings/{booking_id}"
    assert line.target == f"Booking {booking_id[:8]}"
    assert (line.reason, line.changes) == ("—", "scheduled_at: 2026-03-02 → 2026-03-03")
