"""Version 1 of the public API: every route lives under `/api/v1`."""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import problem_responses
from api.v1 import auth, health
from api.v1 import b2b as b2b_v1
from api.v1 import bookings as bookings_v1
from api.v1 import catalog as catalog_v1
from api.v1 import estimates as estimates_v1
from api.v1 import onboarding as onboarding_v1
from api.v1 import payments as payments_v1
from api.v1 import provider as provider_v1
from api.v1 import referrals as referrals_v1
from api.v1 import reviews as reviews_v1
from api.v1 import tracking as tracking_v1
from api.v1 import webhooks as webhooks_v1

router = APIRouter(prefix="/api/v1", responses=problem_responses(500))
# The router tries routes in this order, so the busiest calls (estimates, bookings, location
# fixes, the webhook) come first: each route tried before the match costs a regex and more.
router.include_router(estimates_v1.router)
router.include_router(bookings_v1.router)
router.include_router(provider_v1.router)
router.include_router(webhooks_v1.router)
router.include_router(health.router)
router.include_router(auth.router)
router.include_router(payments_v1.router)
router.include_router(referrals_v1.router)
router.include_router(reviews_v1.router)
router.include_router(catalog_v1.router)
router.include_router(tracking_v1.router)
router.include_router(onboarding_v1.router)
router.include_router(b2b_v1.router)
