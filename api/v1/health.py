"""Liveness and readiness in one probe: the process answers and the database does too."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from api import API_VERSION
from api.deps import NewUow
from api.errors import ProblemResponse, problem, problem_responses
from api.v1.schemas import HealthOut

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get(
    "/health",
    response_model=HealthOut,
    responses=problem_responses(503),
    summary="Check the API and its database",
)
def health(request: Request, uow: NewUow) -> HealthOut | ProblemResponse:
    """Answer 200 when `SELECT 1` succeeds, 503 (for load balancers) when it does not."""
    try:
        with uow:
            uow.session.exec(text("SELECT 1"))
    except SQLAlchemyError as exc:
        logger.warning("Health check: the database does not answer: %s", exc)
        return problem(
            503,
            code="database_unavailable",
            detail="The database does not answer.",
            instance=request.url.path,
            headers={"Retry-After": "5"},
        )
    return HealthOut(status="ok", database="ok", version=API_VERSION)
