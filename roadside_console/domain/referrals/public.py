"""The one referral question anyone may ask: is this code valid in that workspace?

The answer is a bare yes or no. An unknown workspace, a malformed code and an unknown code all
get the same "no", and nothing about the referrer is returned, so the endpoint cannot be used to
learn who uses the product or which workspaces exist.
"""

from __future__ import annotations

from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.referrals.service import validate_code
from roadside_console.domain.tenants.service import get_tenant_by_slug


def is_code_valid_in_workspace(uow: UnitOfWork, *, workspace: str, code: str) -> bool:
    """Tell whether `code` is a customer's referral code in the workspace with this slug."""
    tenant = get_tenant_by_slug(uow.session, workspace or "")
    return tenant is not None and validate_code(uow.session, tenant_id=tenant.id, code=code)
