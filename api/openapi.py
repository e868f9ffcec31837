"""The OpenAPI document: what the middleware answers, declared once, and its checked-in copy.

Rate limits, the body-size limit, JSON parsing, request validation and idempotency keys answer
for every route without the route knowing, so no route's `responses=` lists them. They are
added to the document here, for every operation they apply to, so clients (and the contract
fuzzing) see every status the API really returns. The document describes the production
API: it does not change with the options a test builds the app with.

`python -m api.openapi` (`make openapi`) writes it to `docs/openapi.json`, where a test
compares it with the live one so a change to the contract is always a reviewed diff.
"""

from __future__ import annotations

import json
import sys
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from api.errors import PROBLEM_MEDIA_TYPE
from api.idempotency import applies_to
from api.rate_limits import classify
from roadside_console.domain.core.idempotency import HEADER as IDEMPOTENCY_HEADER
from roadside_console.domain.core.idempotency import MAX_KEY_LENGTH

SNAPSHOT_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
_PROBLEM_REF = "#/components/schemas/Problem"
_IDEMPOTENCY_PARAMETER = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": "Retry-safe POSTs: the same key and request get the first answer again "
    "(`Idempotent-Replayed: true`), for 24 hours; the same key with another request is a 422.",
    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
}


def install_middleware_openapi(app: FastAPI) -> None:
    """Declare on each operation the problems the middleware may answer for it."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                _declare(path, method.upper(), operation)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare(path: str, method: str, operation: dict[str, Any]) -> None:
    statuses: set[int] = set()
    has_input = bool(operation.get("parameters")) or "requestBody" in operation
    if "requestBody" in operation:
        statuses |= {400, 413}  # malformed JSON; the body-size limit
    if has_input:
        statuses.add(422)
    if operation.get("security"):
        statuses.add(401)
    if classify(method, path) is not None:
        statuses.add(429)
    if applies_to({"type": "http", "method": method, "path": path}):
        statuses |= {409, 422}  # a key still in flight; a key reused for another request
        parameters = operation.setdefault("parameters", [])
        if all(p.get("name") != IDEMPOTENCY_HEADER for p in parameters):
            parameters.append(dict(_IDEMPOTENCY_PARAMETER))
    responses = operation.setdefault("responses", {})
    for status in sorted(statuses):
        if _is_problem(responses.get(str(status))):
            continue
        responses[str(status)] = {
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": _PROBLEM_REF}}},
        }


def _is_problem(response: dict[str, Any] | None) -> bool:
    media = (response or {}).get("content", {}).get(PROBLEM_MEDIA_TYPE, {})
    return media.get("schema", {}).get("$ref") == _PROBLEM_REF


def render(document: dict[str, Any]) -> str:
    """Serialise the document as it is checked in: indented, keys sorted, a final newline."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    """Write the live document to `docs/openapi.json`."""
    from api.app import create_api

    SNAPSHOT_PATH.write_text(render(create_api().openapi()), encoding="utf-8")
    print(f"Wrote {SNAPSHOT_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
