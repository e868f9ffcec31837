"""The checked-in OpenAPI document is the one the app serves.

Clients and reviewers read `docs/openapi.json`; a route, schema or status change that is not
regenerated there fails here, so every contract change shows up as a diff of that file.
"""

from api.app import create_api
from api.openapi import SNAPSHOT_PATH, render


def test_the_checked_in_openapi_document_matches_the_live_one():
    # given the document the app serves, as `make openapi` writes it
    live = render(create_api().openapi())
    # when it is compared with the checked-in copy
    checked_in = SNAPSHOT_PATH.read_text(encoding="utf-8") if SNAPSHOT_PATH.exists() else ""
    # then they are the same
    assert live == checked_in, (
        "docs/openapi.json is out of date with the API: run `make openapi` and commit the diff"
    )


def test_the_document_declares_the_problems_every_route_can_answer():
    # given the live document
    paths = create_api().openapi()["paths"]
    # then each operation lists the answers middleware gives before the route runs
    create_booking = paths["/api/v1/bookings"]["post"]
    assert {"400", "413", "422", "429"} <= create_booking["responses"].keys()
    assert "Idempotency-Key" in [p["name"] for p in create_booking["parameters"]]
    health = paths["/api/v1/health"]["get"]
    assert "429" not in health["responses"]  # the probe is never rate limited
    sign_in = paths["/api/v1/auth/tokens"]["post"]
    assert "Idempotency-Key" not in [p["name"] for p in sign_in.get("parameters", [])]
