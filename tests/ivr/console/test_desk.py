"""The console's desk routes over HTTP: a desk login of its own, the slot service's answers and
refusals passed through with their status and details, admin pages refused to a desk user who
is no admin, path parts checked before they reach a URL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from tests.ivr.console.desk_harness import (
    DAY,
    DESK_ADMIN,
    DESK_ADMIN_PASSWORD,
    DESK_PASSWORD,
    DESK_USER,
    OFFICE,
    DeskStack,
    book,
    desk_stack,
)


@pytest.fixture
async def stack(postgres_server: str, slots_template: str) -> AsyncIterator[DeskStack]:
    async with desk_stack(postgres_server, slots_template) as ready:
        yield ready


@asynccontextmanager
async def logged_in(stack: DeskStack, user: str, password: str) -> AsyncIterator[httpx.AsyncClient]:
    async with stack.console_client() as client:
        response = await client.post("/api/desk/login",
                                     json={"username": user, "password": password})
        assert response.status_code == 200, response.text
        yield client


async def test_the_desk_needs_its_own_login(stack: DeskStack) -> None:
    async with stack.console_client() as client:
        page = await client.get("/desk")
        assert page.status_code == 200 and 'id="desk-attempts"' in page.text
        day_path = f"/api/desk/offices/{OFFICE}/day?day={DAY}"
        for path in ("/api/desk/me", "/api/desk/offices", day_path):
            response = await client.get(path)
            assert response.status_code == 401, path
            assert response.json()["error_id"] == "unauthorized"
        wrong = await client.post("/api/desk/login",
                                  json={"username": DESK_USER, "password": "nope"})
        assert wrong.status_code == 401
        accented = await client.post("/api/desk/login",
                                     json={"username": DESK_USER, "password": "heslo-žluťoučký"})
        assert accented.status_code == 401  # a non-ASCII password is wrong, not a crash
        # an operator's password is no desk login, and the reverse
        operator = await client.post("/api/desk/login",
                                     json={"username": "operator1",
                                           "password": "operator1-dev-password"})
        assert operator.status_code == 401
    async with logged_in(stack, DESK_USER, DESK_PASSWORD) as client:
        me = (await client.get("/api/desk/me")).json()
        assert (me["username"], me["admin"]) == (DESK_USER, False)
        assert (await client.get("/api/me")).status_code == 401  # not an operator session
        await client.post("/api/desk/logout")
        assert (await client.get("/api/desk/me")).status_code == 401


async def test_day_check_in_and_search_pass_the_service_through(stack: DeskStack) -> None:
    booking = await book(stack, after="2026-12-07T09:00:00+01:00", caller="+420777123456",
                         passport="12345678")
    async with logged_in(stack, DESK_USER, DESK_PASSWORD) as client:
        day = (await client.get(f"/api/desk/offices/{OFFICE}/day", params={"day": DAY})).json()
        assert [b["reference"] for b in day["bookings"]] == [booking["reference"]]
        assert day["bookings"][0]["caller"] == "+*********456"
        marked = await client.post(f"/api/desk/bookings/{booking['reference']}/check-in",
                                   json={"status": "attended"})
        assert marked.status_code == 200, marked.text
        found = await client.get(f"/api/desk/bookings/{booking['reference']}")
        assert found.json()["status"] == "attended"
        early = await client.post(f"/api/desk/bookings/{booking['reference']}/check-in",
                                  json={"status": "no-show"})
        assert early.status_code == 409 and early.json()["error_id"] == "too-late"
        unknown = await client.get("/api/desk/bookings/00000000")
        assert unknown.status_code in (400, 404)
        assert unknown.json()["error_id"] in {"invalid-reference", "booking-not-found"}
        assert (await client.get("/api/desk/bookings/..%2Fadmin")).status_code in (404, 422)
        assert (await client.get("/api/desk/offices/A%20B/day",
                                 params={"day": DAY})).status_code == 422
        for method, path in (("GET", f"/api/desk/capacity?office={OFFICE}"),
                             ("GET", "/api/desk/no-show-rates"),
                             ("POST", "/api/desk/materialise")):
            refused = await client.request(method, path)
            assert refused.status_code == 403, path
            assert refused.json()["error_id"] == "forbidden"


async def test_admin_closure_and_capacity_refusal_keep_their_details(stack: DeskStack) -> None:
    booking = await book(stack, after="2026-12-08T07:59:00+01:00", caller="+420777123456",
                         passport="12345678")
    async with logged_in(stack, DESK_ADMIN, DESK_ADMIN_PASSWORD) as client:
        period = {"office": OFFICE, "date": "2026-12-08", "start": "08:00", "end": "09:00"}
        preview = await client.post("/api/desk/closures/preview", json=period)
        assert [b["reference"] for b in preview.json()["bookings_to_cancel"]] == [
            booking["reference"]
        ]
        templates = (await client.get("/api/desk/capacity", params={"office": OFFICE})).json()
        wanted = ("ltr-extension", 1, "08:00")
        tuesday = next(t for t in templates
                       if (t["visit_type"], t["weekday"], t["start"]) == wanted)
        refused = await client.put(f"/api/desk/capacity/{tuesday['template_id']}",
                                   json={"seats": {"phone": 0, "operator": 0, "counter": 0}})
        assert refused.status_code == 409
        assert refused.json()["error_id"] == "capacity-below-booked"
        assert refused.json()["details"]["slots"][0]["slot_id"] == booking["slot_id"]
        closed = await client.post("/api/desk/closures", json={**period, "reason": "training"})
        assert closed.status_code == 201, closed.text
        assert [b["reference"] for b in closed.json()["bookings_cancelled"]] == [
            booking["reference"]
        ]
        rates = await client.get("/api/desk/no-show-rates")
        assert rates.status_code == 200 and rates.json()["by_caller_number"] == []
