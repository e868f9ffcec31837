"""The service catalog: what a workspace sells, readable without signing in."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import GuestOrUser, Uow
from api.errors import problem_responses
from api.v1.booking_schemas import ServiceListOut, ServiceOut
from roadside_console.domain.catalog.public import list_active_services

router = APIRouter(tags=["catalog"])


@router.get(
    "/catalog/services",
    response_model=ServiceListOut,
    responses=problem_responses(401, 404, 422),
    summary="List the active services of a workspace",
)
def list_services(caller: GuestOrUser, uow: Uow) -> ServiceListOut:
    """Guests name the workspace in `X-Workspace`; a token implies its own."""
    tenant_id, _ = caller.resolve(uow)
    services = list_active_services(uow, tenant_id=tenant_id)
    return ServiceListOut(
        items=[ServiceOut.model_validate(s, from_attributes=True) for s in services]
    )
