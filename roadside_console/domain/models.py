"""Every table, imported in one place so metadata (and Alembic) sees the whole schema."""

from roadside_console.domain.audit.models import AuditEntry
from roadside_console.domain.b2b.models import B2BAccount, B2BContract
from roadside_console.domain.bookings.models import Booking, BookingEvent
from roadside_console.domain.catalog.models import Service
from roadside_console.domain.core.idempotency import IdempotencyKey
from roadside_console.domain.core.rate_limits import RateLimitCounter
from roadside_console.domain.customers.models import Vehicle
from roadside_console.domain.dispatch.models import DispatchLog, DispatchOffer
from roadside_console.domain.identity.models import (
    ApiToken,
    LoginAttempt,
    OneTimeToken,
    User,
    UserSession,
)
from roadside_console.domain.inspections.models import InspectionReport, Observation
from roadside_console.domain.invoices.models import Invoice, InvoiceLineItem
from roadside_console.domain.ledger.models import LedgerAccount, LedgerEntry, LedgerTransaction
from roadside_console.domain.messaging.models import Media, Message, ServiceQuote
from roadside_console.domain.notifications.models import OutboxMessage, PushSubscription
from roadside_console.domain.payments.models import Payment, Refund, WebhookEvent
from roadside_console.domain.payouts.models import CommissionRule, PayoutBatch, ProviderPayout
from roadside_console.domain.pricing.models import PriceQuote, TimeBlock
from roadside_console.domain.providers.models import (
    Provider,
    ProviderCredential,
    ProviderLocation,
)
from roadside_console.domain.referrals.models import CreditEntry, Referral
from roadside_console.domain.reviews.models import Review
from roadside_console.domain.tenants.models import Tenant, TenantSettings

__all__ = [
    "ApiToken",
    "AuditEntry",
    "B2BAccount",
    "B2BContract",
    "Booking",
    "BookingEvent",
    "CommissionRule",
    "CreditEntry",
    "DispatchLog",
    "DispatchOffer",
    "IdempotencyKey",
    "InspectionReport",
    "Invoice",
    "InvoiceLineItem",
    "LedgerAccount",
    "LedgerEntry",
    "LedgerTransaction",
    "LoginAttempt",
    "Media",
    "Message",
    "Observation",
    "OneTimeToken",
    "OutboxMessage",
    "Payment",
    "PayoutBatch",
    "PriceQuote",
    "Provider",
    "ProviderCredential",
    "ProviderLocation",
    "ProviderPayout",
    "PushSubscription",
    "RateLimitCounter",
    "Referral",
    "Refund",
    "Review",
    "Service",
    "ServiceQuote",
    "Tenant",
    "TenantSettings",
    "TimeBlock",
    "User",
    "UserSession",
    "Vehicle",
    "WebhookEvent",
]
