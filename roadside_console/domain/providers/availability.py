"""The on/off-duty switch, shared by the provider's own toggle and staff acting for them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session

from roadside_console.domain.providers.models import Provider, ProviderStatus


def switch_availability(
    session: Session, *, provider: Provider, available: bool, now: datetime
) -> bool:
    """Set the provider on or off duty; False if going on duty was refused (not active).

    The status is checked in the same UPDATE, so a provider deactivated a moment ago cannot
    slip back on duty. On refusal the provider's status is read again for the message.
    """
    conditions = [Provider.id == provider.id]
    if available:
        conditions.append(Provider.status == ProviderStatus.ACTIVE)
    changed = session.execute(
        sa.update(Provider)
        .where(*conditions)  # type: ignore[arg-type]
        .values(is_available=available, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if changed != 1:
        session.refresh(provider, ["status"])
        return False
    return True
