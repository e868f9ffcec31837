"""Answer a hot route with a model it just built, serialised once.

A route that returns a model has FastAPI validate it again against `response_model` (on the
thread pool for a sync route) and then serialise it; the model is already valid, so the routes
that run most often hand back its JSON directly. `response_model` still documents the body.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from starlette.responses import Response

JSON = "application/json"


def model_response(
    model: BaseModel, *, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    """Return `model` as a JSON response with `status_code` and `headers`."""
    return Response(
        model.model_dump_json(), status_code=status_code, headers=headers, media_type=JSON
    )
