"""The short path to the busiest routes answers exactly as the FastAPI routes do."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from api.app import create_api
from api.deps import get_uow
from api.hot_routes import HotRoute
from roadside_console.domain.core.auth import Role
from roadside_console.domain.identity.models import User
from tests.api.bearer import bearer
from tests.api.conftest import client_for
from tests.factories import make_provider, make_user
from tests.pricing.conftest import add_pricing_world

pytestmark = pytest.mark.anyio

VOLATILE = {
    "id",
    "created_at",
    "expires_at",
    "recorded_at",
    "reference",
    "tracking_token",
    "tracking_url",
    "request_id",
}


def _stable(value: Any) -> Any:
    """The answer without what differs between two runs (new ids, times, references)."""
    if isinstance(value, dict):
        return {k: ("*" if k in VOLATILE else _stable(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _apps(uow_factory):
    """The API with the short path (and a count of what it served), and the API without it."""
    served: list[str] = []
    hot = create_api()
    for i, route in enumerate(hot.router.routes):
        if isinstance(route, HotRoute):

            async def counted(*, _endpoint=route.endpoint, _path=route.path, **kwargs):
                served.append(_path)
                return await _endpoint(**kwargs)

            hot.router.routes[i] = dataclasses.replace(route, endpoint=counted)
    plain = create_api(hot_routes=False)
    for app in (hot, plain):
        app.dependency_overrides[get_uow] = uow_factory
    return hot, plain, served


async def _both(hot, plain, requests, plain_requests=None):
    answers = []
    for app, sent in ((hot, requests), (plain, plain_requests or requests)):
        async with client_for(app) as client:
            answers.append(
                [
                    await client.post(path, content=body, headers=headers)
                    for path, body, headers in sent
                ]
            )
    return answers


def _compare(hot_answers, plain_answers):
    for fast, slow in zip(hot_answers, plain_answers, strict=True):
        assert fast.status_code == slow.status_code, (fast.text, slow.text)
        assert fast.headers["content-type"] == slow.headers["content-type"]
        assert ("location" in fast.headers) == ("location" in slow.headers)
        assert _stable(fast.json()) == _stable(slow.json())


async def test_estimates_and_bookings_answer_alike_with_and_without_the_short_path(
    session, uow_factory
):
    # given a workspace, a customer's token, and requests good and bad
    world = add_pricing_world(session)
    customer = bearer(uow_factory, session.get(User, world.customer.user_id))
    guest = {"X-Workspace": world.tenant.slug, "Content-Type": "application/json"}
    tow = f'{{"service_id": "{world.towing.id}", "towing_miles": 25, "lat": 33.76, "lng": -84.39}}'
    booking = (
        f'{{"service_id": "{world.jump.id}", "address": "265 Park Ave W NW", "lat": 33.76,'
        ' "lng": -84.39, "contact_name": "Jordan Miles", "contact_phone": "(404) 555-0101"}'
    )
    est, book = "/api/v1/estimates", "/api/v1/bookings"
    requests = [
        (est, tow, guest),
        (est, tow, {**customer, "Content-Type": "application/json"}),
        (est, tow, {**guest, "Content-Type": "application/json; charset=utf-8"}),
        (est, tow, {"Content-Type": "application/json"}),  # no workspace
        (est, tow, {**guest, "X-Workspace": "nowhere"}),
        (est, tow, {**guest, "X-Workspace": "w" * 101}),
        (est, tow, {**guest, "Authorization": "Bearer rsk_not-a-token"}),
        (est, tow, {**guest, "Authorization": "Basic abc"}),
        (est, tow.replace("25", '"far"'), guest),
        (est, '{"service_id": ', guest),
        (est, "", guest),
        (est, "[]", guest),
        (est, tow, {**guest, "Content-Type": "text/plain"}),
        (est, tow.replace(str(world.towing.id), "00000000-0000-0000-0000-000000000000"), guest),
        (book, booking, guest),
        (book, booking, {**customer, "Content-Type": "application/json"}),
        (book, booking.replace("(404) 555-0101", "12"), guest),
        (book, booking.replace('"contact_name": "Jordan Miles", ', ""), guest),
        (book, booking, {**guest, "Idempotency-Key": "same"}),
        (book, booking, {**guest, "Idempotency-Key": "same"}),
    ]
    hot, plain, served = _apps(uow_factory)
    # when both apps get the same requests
    hot_answers, plain_answers = await _both(hot, plain, requests)
    # then the answers match, and the short path served the well-formed ones
    _compare(hot_answers, plain_answers)
    assert served.count(est) >= 4 and served.count(book) >= 4


async def test_location_fixes_answer_alike_with_and_without_the_short_path(session, uow_factory):
    # given two providers' tokens (one per app: a fix within 5 s keeps no second point),
    # a customer's, and fixes good and bad
    world = add_pricing_world(session)
    drivers = [
        {
            **bearer(uow_factory, session.get(User, make_provider(session, world.tenant).user_id)),
            "Content-Type": "application/json",
        }
        for _ in range(2)
    ]
    customer = {
        **bearer(uow_factory, make_user(session, world.tenant, role=Role.CUSTOMER)),
        "Content-Type": "application/json",
    }
    fix, path = (
        '{"lat": 33.76, "lng": -84.38, "accuracy_m": 8.5, "heading_deg": 270}',
        ("/api/v1/provider/location"),
    )

    def fixes(driver: dict[str, str]) -> list[tuple[str, str, dict[str, str]]]:
        return [
            (path, fix, driver),
            (path, fix, customer),
            (path, fix, {"Content-Type": "application/json"}),
            (path, fix, {**driver, "Authorization": "Bearer rsk_unknown"}),
            (path, fix.replace("33.76", "133.76"), driver),
            (path, fix.replace("270", "400"), driver),
            (path, '{"lat": 33.76}', driver),
            (path, "{", driver),
        ]

    hot, plain, served = _apps(uow_factory)
    # when
    hot_answers, plain_answers = await _both(hot, plain, fixes(drivers[0]), fixes(drivers[1]))
    # then
    _compare(hot_answers, plain_answers)
    assert served.count(path) >= 2
