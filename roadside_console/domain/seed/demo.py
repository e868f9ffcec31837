"""Demo data: the RoadSide ATL operator with a month of history, plus a second small tenant.

Idempotent: nothing is written when the demo tenant already exists. Times are relative to
`now`, so a fresh install always shows recent activity.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from roadside_console.domain.b2b.models import B2BAccount, B2BContract
from roadside_console.domain.bookings.models import (
    Booking,
    BookingEvent,
    BookingMode,
    BookingStatus,
)
from roadside_console.domain.bookings.references import new_booking_reference
from roadside_console.domain.catalog.models import SchedulingMode, Service, ServiceCategory
from roadside_console.domain.core.auth import Actor, Role
from roadside_console.domain.core.clock import utc_now
from roadside_console.domain.core.geo import METRES_PER_MILE, eta_minutes, great_circle_miles
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.customers.models import Vehicle
from roadside_console.domain.dispatch.models import DispatchAlgorithm, DispatchLog
from roadside_console.domain.identity.models import User
from roadside_console.domain.identity.passwords import hash_password
from roadside_console.domain.payments.models import Payment, PaymentMethod
from roadside_console.domain.payments.service import confirm_payment_in
from roadside_console.domain.payouts.batches import pay_pending
from roadside_console.domain.payouts.models import PayoutBatch
from roadside_console.domain.pricing.models import TimeBlock
from roadside_console.domain.pricing.rules import quote_price
from roadside_console.domain.providers.models import (
    CommissionType,
    CredentialKind,
    Provider,
    ProviderCredential,
    ProviderStatus,
)
from roadside_console.domain.referrals.codes import new_referral_code
from roadside_console.domain.referrals.models import Referral, ReferralKind, ReferralStatus
from roadside_console.domain.reviews.models import Review
from roadside_console.domain.seed import catalog
from roadside_console.domain.tenants.models import Tenant, TenantSettings

DEMO_TENANT_SLUG = "roadside-atl"
SECOND_TENANT_SLUG = "gulf-coast-tow"
S = BookingStatus

# service, customer, address, final status, provider, payment method, age (hours), towing miles
BOOKINGS: list[tuple[str, int, int, BookingStatus, int | None, str | None, float, int | None]] = [
    ("jump-start", 0, 0, S.COMPLETED, 0, "cash", 20 * 24, None),
    ("towing", 1, 1, S.COMPLETED, 2, "stripe", 18 * 24 + 5, 14),
    ("lockout", 2, 2, S.COMPLETED, 0, "cashapp", 16 * 24 + 2, None),
    ("flat-tire", 3, 3, S.COMPLETED, 2, "zelle", 14 * 24 + 7, None),
    ("fuel-delivery", 4, 4, S.COMPLETED, 1, "cash", 12 * 24 + 3, None),
    ("diagnostics-standard", 5, 5, S.COMPLETED, 3, "stripe", 10 * 24 + 1, None),
    ("towing", 6, 6, S.COMPLETED, 0, "cash", 8 * 24 + 9, 22),
    ("jump-start", 7, 7, S.COMPLETED, 1, "cashapp", 6 * 24 + 4, None),
    ("diagnostics-basic", 1, 8, S.COMPLETED, 1, "stripe", 4 * 24 + 6, None),
    ("flat-tire", 8, 9, S.COMPLETED, 2, "zelle", 2 * 24 + 8, None),
    ("lockout", 9, 10, S.COMPLETED, 0, "cash", 26, None),
    ("jump-start", 10, 11, S.CANCELLED, None, None, 3 * 24 + 2, None),
    ("towing", 11, 12, S.PENDING, None, None, 1, 8),
    ("jump-start", 0, 13, S.PENDING, None, None, 0.3, None),
    ("flat-tire", 3, 14, S.CONFIRMED, None, None, 0.7, None),
    ("diagnostics-premium", 5, 15, S.CONFIRMED, None, None, 2.5, None),
    ("lockout", 2, 16, S.DISPATCHED, 1, "zelle", 0.4, None),
    ("towing", 6, 17, S.IN_PROGRESS, 0, "cash", 1.5, 12),
]
PAID_PAYOUTS = 7  # the seven oldest completed jobs were paid in last week's batch
REVIEWS = {0: 5, 1: 4, 2: 5, 3: 5, 4: 4, 5: 5, 6: 3, 7: 5}
MANUAL_DISPATCH = {2, 5, 9}
LIFECYCLE = [S.PENDING, S.CONFIRMED, S.DISPATCHED, S.IN_PROGRESS, S.COMPLETED]
STEP_MINUTES = {S.CONFIRMED: 2, S.DISPATCHED: 4, S.IN_PROGRESS: 35, S.COMPLETED: 80}


@dataclass(frozen=True)
class DemoLogin:
    """One demo account a person can sign in with."""

    workspace: str
    email: str
    role: str


@dataclass
class DemoLogins:
    """What `make run` prints after seeding."""

    password: str
    logins: list[DemoLogin] = field(default_factory=list)


def seed_demo(
    uow: UnitOfWork, *, password: str | None = None, now: datetime | None = None
) -> DemoLogins | None:
    """Create the demo tenants unless they exist; return the logins, or None if already seeded."""
    session = uow.session
    if session.exec(select(Tenant).where(Tenant.slug == DEMO_TENANT_SLUG)).first() is not None:
        return None
    now = now or utc_now()
    password = password or secrets.token_urlsafe(12)
    # One hash for every demo account keeps seeding fast; real accounts each get their own salt.
    password_hash = hash_password(password)
    logins = DemoLogins(password=password)
    _seed_atlanta(session, password_hash, logins, now)
    _seed_second_tenant(session, password_hash, logins, now)
    uow.commit()
    return logins


def _seed_atlanta(session: Session, password_hash: str, logins: DemoLogins, now: datetime) -> None:
    tenant = Tenant(name="RoadSide ATL", slug=DEMO_TENANT_SLUG, timezone="America/New_York")
    session.add(tenant)
    session.flush()
    settings = TenantSettings(tenant_id=tenant.id)
    session.add(settings)
    tz = ZoneInfo(tenant.timezone)

    services = {
        slug: Service(
            tenant_id=tenant.id,
            slug=slug,
            name=name,
            category=category,
            base_price_cents=base,
            per_mile_cents=per_mile,
            included_miles=included,
            platform_cut_bp=cut,
            scheduling_mode=mode,
            description=description,
            sort_order=i,
        )
        for i, (
            slug,
            name,
            category,
            base,
            per_mile,
            included,
            cut,
            mode,
            description,
        ) in enumerate(catalog.SERVICES)
    }
    session.add_all(services.values())
    blocks = [
        TimeBlock(
            tenant_id=tenant.id,
            name=name,
            start_hour=start,
            end_hour=end,
            multiplier_bp=bp,
            priority=priority,
            active=active,
        )
        for name, start, end, bp, priority, active in catalog.TIME_BLOCKS
    ]
    session.add_all(blocks)

    staff = []
    for email, name, role in catalog.STAFF:
        user = User(
            tenant_id=tenant.id,
            email=email,
            name=name,
            role=Role(role),
            password_hash=password_hash,
            email_verified_at=now,
            phone="+14045550100",
        )
        staff.append(user)
        logins.logins.append(DemoLogin(DEMO_TENANT_SLUG, email, role))
    session.add_all(staff)
    admin = staff[0]

    providers = []
    for (
        email,
        name,
        phone,
        status,
        ctype,
        rate,
        flat,
        home,
        lat,
        lng,
        available,
        specialties,
    ) in catalog.PROVIDERS:
        user = User(
            tenant_id=tenant.id,
            email=email,
            name=name,
            phone=phone,
            role=Role.PROVIDER,
            password_hash=password_hash,
            email_verified_at=now,
        )
        session.add(user)
        session.flush()
        provider = Provider(
            tenant_id=tenant.id,
            user_id=user.id,
            name=name,
            email=email,
            phone=phone,
            status=ProviderStatus(status),
            commission_type=CommissionType(ctype),
            commission_rate_bp=rate,
            flat_fee_cents=flat,
            home_address=home,
            home_lat=lat,
            home_lng=lng,
            is_available=available,
            specialties=specialties,
            current_lat=lat + 0.01 if available else None,
            current_lng=lng + 0.01 if available else None,
            location_updated_at=now if available else None,
        )
        providers.append(provider)
        logins.logins.append(DemoLogin(DEMO_TENANT_SLUG, email, "provider"))
    session.add_all(providers)
    session.flush()
    _add_credentials(session, tenant.id, providers, now.date())

    customers, vehicles = [], []
    for index, (email, name, phone, (year, make, model, color)) in enumerate(catalog.CUSTOMERS):
        tier = 2 if index in (1, 5) else 1
        user = User(
            tenant_id=tenant.id,
            email=email,
            name=name,
            phone=phone,
            role=Role.CUSTOMER,
            password_hash=password_hash,
            trust_tier=tier,
            clean_payment_count=3 if tier == 2 else 0,
            referral_code=new_referral_code(),
            email_verified_at=now,
        )
        session.add(user)
        session.flush()
        customers.append(user)
        vehicles.append(
            Vehicle(
                tenant_id=tenant.id,
                owner_id=user.id,
                year=year,
                make=make,
                model=model,
                color=color,
                plate=f"GA{4000 + index * 37}",
            )
        )
    logins.logins.append(DemoLogin(DEMO_TENANT_SLUG, customers[0].email, "customer"))
    session.add_all(vehicles)
    customers[7].referred_by_id = customers[0].id
    session.add(
        Referral(
            tenant_id=tenant.id,
            kind=ReferralKind.CUSTOMER,
            referrer_id=customers[0].id,
            referee_id=customers[7].id,
            code=customers[0].referral_code or "",
            status=ReferralStatus.PENDING,
        )
    )

    account = B2BAccount(
        tenant_id=tenant.id,
        name="Peachtree Fleet Services",
        contact_name="Renee Holt",
        billing_email="ap@peachtreefleet.example",
        phone="+14045550300",
    )
    session.add(account)
    session.flush()
    session.add(
        B2BContract(
            tenant_id=tenant.id,
            account_id=account.id,
            name="2026 fleet agreement",
            starts_on=date(now.year, 1, 1),
            discount_bp=1000,
            service_prices={str(services["towing"].id): 11000},
        )
    )
    session.flush()

    finance = Actor(
        user_id=staff[3].id, tenant_id=tenant.id, role=Role(staff[3].role), name=staff[3].name
    )
    batch_id = None

    available = [p for p in providers if p.status is ProviderStatus.ACTIVE]
    online = sum(1 for p in available if p.is_available)
    completed_index = 0
    for index, (slug, cust, addr, status, prov, method, age_hours, miles) in enumerate(BOOKINGS):
        service = services[slug]
        customer, vehicle = customers[cust], vehicles[cust]
        address, lat, lng = catalog.ADDRESSES[addr]
        created = now - timedelta(hours=age_hours)
        scheduled_at = None
        mode = BookingMode.IMMEDIATE
        if service.scheduling_mode is SchedulingMode.SCHEDULED and status is S.CONFIRMED:
            mode = BookingMode.SCHEDULED
            tomorrow = (now.astimezone(tz) + timedelta(days=1)).date()
            scheduled_at = datetime.combine(tomorrow, time(10, 0), tzinfo=tz)
        price = quote_price(
            service=service,
            blocks=blocks,
            policy=settings,
            providers_online=online,
            tz_name=tenant.timezone,
            now=created,
            scheduled_at=scheduled_at,
            towing_miles=miles,
        )
        breakdown, total = price.lines_as_dicts(), price.total_cents
        provider = providers[prov] if prov is not None else None
        booking = Booking(
            tenant_id=tenant.id,
            reference=new_booking_reference(),
            customer_id=customer.id,
            service_id=service.id,
            provider_id=provider.id if provider else None,
            vehicle_id=vehicle.id,
            status=status,
            mode=mode,
            vehicle={
                "year": vehicle.year,
                "make": vehicle.make,
                "model": vehicle.model,
                "color": vehicle.color,
                "plate": vehicle.plate,
            },
            address=address,
            lat=lat,
            lng=lng,
            contact_name=customer.name,
            contact_phone=customer.phone or "",
            contact_email=customer.email,
            scheduled_at=scheduled_at,
            towing_miles=miles,
            estimated_price_cents=total,
            price_breakdown=breakdown,
            created_at=created,
            updated_at=created,
        )
        if slug == "towing" and miles:
            booking.destination_address = "Peach State Auto Repair, 1190 Chattahoochee Ave NW"
            booking.destination_lat, booking.destination_lng = 33.8052, -84.4290
        session.add(booking)
        session.flush()
        _add_history(session, booking, admin, provider, created, status)
        if provider is not None:
            _add_dispatch_log(
                session,
                booking,
                provider,
                available,
                admin,
                created + timedelta(minutes=4),
                manual=index in MANUAL_DISPATCH,
            )
        if status is S.COMPLETED and completed_index == PAID_PAYOUTS and batch_id is None:
            batch_id = _pay_last_weeks_batch(session, tenant.id, finance, now)
        if method is not None:
            _add_payment(session, booking, customer, method, finance, created)
        if status is S.COMPLETED and provider is not None:
            booking.final_price_cents = total
            if index in REVIEWS:
                session.add(
                    Review(
                        tenant_id=tenant.id,
                        booking_id=booking.id,
                        provider_id=provider.id,
                        customer_id=customer.id,
                        rating=REVIEWS[index],
                        comment=None,
                    )
                )
                provider.rating_total += REVIEWS[index]
                provider.review_count += 1
            completed_index += 1
        if status is S.CANCELLED:
            booking.cancel_reason = "Customer got a jump start from a friend."


def _add_payment(
    session: Session,
    booking: Booking,
    customer: User,
    method: str,
    finance: Actor,
    created: datetime,
) -> None:
    """Record the payment; completed jobs were confirmed, through the real money path."""
    payment = Payment(
        tenant_id=booking.tenant_id,
        booking_id=booking.id,
        customer_id=customer.id,
        method=PaymentMethod(method),
        amount_cents=booking.estimated_price_cents,
        reference=f"{method.upper()}-{booking.reference[3:]}" if method != "stripe" else None,
        stripe_checkout_session_id=f"cs_demo_{booking.reference[3:]}"
        if method == "stripe"
        else None,
        counted_for_trust=booking.status is S.COMPLETED,  # the seeded tiers already count them
        created_at=created,
        updated_at=created,
    )
    session.add(payment)
    session.flush()
    if booking.status is S.COMPLETED:
        card = method == "stripe"
        confirm_payment_in(
            session,
            actor=None if card else finance,
            tenant_id=booking.tenant_id,
            payment_id=payment.id,
            reference=f"ch_demo_{booking.reference[3:]}" if card else None,
            now=booking.completed_at,
        )


def _pay_last_weeks_batch(
    session: Session, tenant_id: uuid.UUID, finance: Actor, now: datetime
) -> uuid.UUID:
    """Pay the oldest completed jobs in a batch run three days ago."""
    result = pay_pending(session, tenant_id=tenant_id, actor=finance, now=now - timedelta(days=3))
    batch = session.get(PayoutBatch, result.batch_id)
    assert batch is not None
    batch.period_start = (now - timedelta(days=21)).date()
    batch.period_end = (now - timedelta(days=7)).date()
    session.add(batch)
    return result.batch_id


def _add_history(
    session: Session,
    booking: Booking,
    admin: User,
    provider: Provider | None,
    created: datetime,
    final: BookingStatus,
) -> None:
    session.add(
        BookingEvent(
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            kind="booking_created",
            to_status=S.PENDING,
            actor_id=booking.customer_id,
            actor_role=Role.CUSTOMER,
            created_at=created,
        )
    )
    if final is S.CANCELLED:
        at = created + timedelta(minutes=6)
        booking.cancelled_at = at
        session.add(
            BookingEvent(
                tenant_id=booking.tenant_id,
                booking_id=booking.id,
                kind="status_changed",
                from_status=S.PENDING,
                to_status=S.CANCELLED,
                actor_id=booking.customer_id,
                actor_role=Role.CUSTOMER,
                reason="Customer cancelled",
                created_at=at,
            )
        )
        return
    previous = S.PENDING
    for step in LIFECYCLE[1 : LIFECYCLE.index(final) + 1]:
        at = created + timedelta(minutes=STEP_MINUTES[step])
        by_provider = step in (S.IN_PROGRESS, S.COMPLETED) and provider is not None
        session.add(
            BookingEvent(
                tenant_id=booking.tenant_id,
                booking_id=booking.id,
                kind="status_changed",
                from_status=previous,
                to_status=step,
                actor_id=(provider.user_id if by_provider and provider else admin.id),
                actor_role=Role.PROVIDER if by_provider else Role.ADMIN,
                payload={"provider_id": str(provider.id)}
                if step is S.DISPATCHED and provider
                else {},
                created_at=at,
            )
        )
        setattr(
            booking,
            {
                S.CONFIRMED: "confirmed_at",
                S.DISPATCHED: "dispatched_at",
                S.IN_PROGRESS: "started_at",
                S.COMPLETED: "completed_at",
            }[step],
            at,
        )
        previous = step


def _add_dispatch_log(
    session: Session,
    booking: Booking,
    chosen: Provider,
    active: list[Provider],
    admin: User,
    at: datetime,
    *,
    manual: bool,
) -> None:
    candidates = []
    for provider in active:
        miles = great_circle_miles(
            provider.home_lat or 0, provider.home_lng or 0, booking.lat, booking.lng
        )
        candidates.append(
            {
                "provider_id": str(provider.id),
                "name": provider.name,
                "distance_miles": round(miles, 1),
                "eta_minutes": eta_minutes(miles),
                "chosen": provider.id == chosen.id,
            }
        )
    candidates.sort(key=lambda c: c["distance_miles"])  # type: ignore[arg-type, return-value]
    chosen_miles = next(c["distance_miles"] for c in candidates if c["chosen"])
    session.add(
        DispatchLog(
            tenant_id=booking.tenant_id,
            booking_id=booking.id,
            algorithm=DispatchAlgorithm.MANUAL if manual else DispatchAlgorithm.AUTO,
            assigned_provider_id=chosen.id,
            distance_m=round(float(chosen_miles) * METRES_PER_MILE),  # type: ignore[arg-type]
            candidates=candidates,
            reason=(
                "Assigned by dispatcher: customer asked for this technician"
                if manual
                else f"Best score among {len(candidates)} eligible providers"
            ),
            actor_id=admin.id if manual else None,
            created_at=at,
        )
    )


def _add_credentials(
    session: Session, tenant_id: object, providers: list[Provider], today: date
) -> None:
    for index, provider in enumerate(providers):
        session.add(
            ProviderCredential(
                tenant_id=provider.tenant_id,
                provider_id=provider.id,
                kind=CredentialKind.DRIVERS_LICENCE,
                number=f"GA-DL-{70512 + index}",
                issuer="Georgia DDS",
                expires_on=today + timedelta(days=400 + 30 * index),
            )
        )
        if provider.status is ProviderStatus.ACTIVE:
            # Priya's insurance runs out soon: the console warns about it.
            days = 20 if provider.name.startswith("Priya") else 180 + 15 * index
            session.add(
                ProviderCredential(
                    tenant_id=provider.tenant_id,
                    provider_id=provider.id,
                    kind=CredentialKind.INSURANCE,
                    number=f"POL-{88210 + index}",
                    issuer="Peach State Mutual",
                    expires_on=today + timedelta(days=days),
                )
            )


def _seed_second_tenant(
    session: Session, password_hash: str, logins: DemoLogins, now: datetime
) -> None:
    tenant = Tenant(name="Gulf Coast Tow", slug=SECOND_TENANT_SLUG, timezone="America/Chicago")
    session.add(tenant)
    session.flush()
    session.add(TenantSettings(tenant_id=tenant.id))
    tow = Service(
        tenant_id=tenant.id,
        slug="towing",
        name="Towing",
        category=ServiceCategory.ROADSIDE,
        base_price_cents=14000,
        per_mile_cents=350,
        included_miles=5,
    )
    jump = Service(
        tenant_id=tenant.id,
        slug="jump-start",
        name="Jump Start",
        category=ServiceCategory.ROADSIDE,
        base_price_cents=9000,
    )
    admin = User(
        tenant_id=tenant.id,
        email="admin@gulfcoasttow.com",
        name="Ray Broussard",
        role=Role.ADMIN,
        password_hash=password_hash,
    )
    customer = User(
        tenant_id=tenant.id,
        email="jules.martin@example.com",
        name="Jules Martin",
        role=Role.CUSTOMER,
        password_hash=password_hash,
        phone="+12515550101",
        referral_code=new_referral_code(),
    )
    provider_user = User(
        tenant_id=tenant.id,
        email="eli@gulfcoasttow.com",
        name="Eli Fontenot",
        role=Role.PROVIDER,
        password_hash=password_hash,
        phone="+12515550102",
    )
    session.add_all([tow, jump, admin, customer, provider_user])
    session.flush()
    session.add(
        Provider(
            tenant_id=tenant.id,
            user_id=provider_user.id,
            name="Eli Fontenot",
            email=provider_user.email,
            phone="+12515550102",
            status=ProviderStatus.ACTIVE,
            home_address="Mobile, AL",
            home_lat=30.6954,
            home_lng=-88.0399,
            is_available=True,
            specialties=["roadside", "towing"],
        )
    )
    session.add(
        Booking(
            tenant_id=tenant.id,
            reference=new_booking_reference(),
            customer_id=customer.id,
            service_id=jump.id,
            status=S.PENDING,
            vehicle={"make": "Ford", "model": "Focus"},
            address="1 Government St, Mobile, AL 36602",
            lat=30.6909,
            lng=-88.0413,
            contact_name=customer.name,
            contact_phone=customer.phone or "",
            estimated_price_cents=jump.base_price_cents,
            price_breakdown=[{"code": "base", "label": "Jump Start", "amount_cents": 9000}],
            created_at=now - timedelta(minutes=30),
        )
    )
    logins.logins.append(DemoLogin(SECOND_TENANT_SLUG, admin.email, "admin"))
