"""Short booking references that staff can say on the phone ("RS-7KX4QD")."""

from __future__ import annotations

import secrets

from roadside_console.domain.referrals.codes import ALPHABET


def new_booking_reference() -> str:
    """Return a random reference; unique per tenant by constraint (collisions are retried)."""
    return "RS-" + "".join(secrets.choice(ALPHABET) for _ in range(6))
