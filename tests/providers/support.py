"""Helpers for provider tests: the provider's acting identity, its trail, offers to answer."""

from __future__ import annotations

from sqlmodel import Session, select

from roadside_console.domain.bookings.models import Booking
from roadside_console.domain.core.auth import Actor
from roadside_console.domain.dispatch import service as dispatch
from roadside_console.domain.dispatch.schemas import DispatchOutcome
from roadside_console.domain.identity.models import User
from roadside_console.domain.providers.models import Provider, ProviderLocation
from tests.dispatch.support import NOW
from tests.factories import actor_of


def actor_for(session: Session, provider: Provider) -> Actor:
    """The acting identity of the provider's portal login."""
    return actor_of(session.get(User, provider.user_id))


def trail_of(session: Session, provider: Provider) -> list[ProviderLocation]:
    """The provider's stored location points, oldest first."""
    session.expire_all()
    return list(
        session.exec(
            select(ProviderLocation)
            .where(ProviderLocation.provider_id == provider.id)
            .order_by(ProviderLocation.recorded_at)
        ).all()
    )


def reloaded(session: Session, provider: Provider) -> Provider:
    """Read the provider again from the database."""
    session.expire_all()
    return session.exec(select(Provider).where(Provider.id == provider.id)).one()


def offer(uow_factory, booking: Booking, *, now=NOW) -> DispatchOutcome:
    """Let the system dispatch a confirmed booking (an offer to the best provider)."""
    with uow_factory() as uow:
        return dispatch.dispatch_booking(uow, actor=None, booking_id=booking.id, now=now)
