from __future__ import annotations

import logging

import httpx
import pytest
from fastapi import FastAPI

from api.app import create_app
from api.settings import ApiSettings
from api.testing import client_for
from tests.api.support import BIRTH, CALLER, PASSPORT, first_slot, hold, hold_and_book


async def test_healthz_needs_no_token(app: FastAPI) -> None:
    async with client_for(app, None) as anonymous:
        response = await anonymous.get("/healthz")
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Basic aXZyOg==", "Bearer "])
async def test_every_other_endpoint_needs_a_known_bearer_token(
    app: FastAPI, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t", headers=headers
    ) as client:
        for path in ("/offices", "/visit-types", "/metrics", "/admin/closures"):
            response = await client.get(path)
            assert response.status_code == 401, path
            assert response.json()["error_id"] == "unauthorized"


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        ("ivr", "/operator/offices/kladno/bookings?day=2026-12-08", False),
        ("ivr", "/admin/closures", False),
        ("operator", "/operator/offices/kladno/bookings?day=2026-12-08", True),
        ("operator", "/admin/closures", False),
        ("admin", "/operator/offices/kladno/bookings?day=2026-12-08", True),
        ("admin", "/admin/closures", True),
        ("ivr", "/offices", True),
    ],
)
async def test_roles(app: FastAPI, role: str, path: str, allowed: bool) -> None:
    async with client_for(app, f"{role}-dev-token") as client:
        response = await client.get(path)
    if allowed:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403
        assert response.json()["error_id"] == "forbidden"


async def test_metrics_count_holds_bookings_cancellations_and_refusals(
    app: FastAPI, ivr: httpx.AsyncClient
) -> None:
    booking = await hold_and_book(ivr)
    await ivr.post(f"/bookings/{booking['reference']}/cancel", json={"caller_number": CALLER})
    await ivr.get("/availability", params={"office": "brno", "visit_type": "ltr-new"})
    text = (await ivr.get("/metrics")).text
    labels = 'channel="phone",language="en",office="praha-zukovskeho"'
    assert f"slots_holds_total{{{labels}}} 1.0" in text
    assert f"slots_bookings_total{{{labels}}} 1.0" in text
    assert f"slots_cancellations_total{{{labels}}} 1.0" in text
    assert (
        'slots_refusals_total{channel="phone",error_id="office-not-found",language="",'
        'office="brno"} 1.0' in text
    )
    other = create_app(ApiSettings(database_url=UNREACHABLE))  # own registry, no clash
    assert "slots_holds_total{" not in other.state.services.context.metrics.exposition().decode()


UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/none"  # nothing listens on port 1


async def test_database_down_is_503() -> None:
    app = create_app(ApiSettings(database_url=UNREACHABLE))
    async with client_for(app, "ivr-dev-token") as client:
        offices = await client.get("/offices")
        health = await client.get("/healthz")
        slots = await client.get("/availability", params={"office": "x", "visit_type": "y"})
    assert offices.status_code == health.status_code == slots.status_code == 503
    assert offices.json()["error_id"] == slots.json()["error_id"] == "database-unavailable"


async def test_passport_digits_and_tokens_never_reach_the_logs(
    app: FastAPI, ivr: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    passport = "98765432101"
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    booked = await ivr.post(
        "/bookings",
        json={
            "hold_id": hold_id,
            "caller_number": CALLER,
            "language": "en",
            "passport_digits": passport,
            "birth_date": BIRTH,
        },
    )
    reference = booked.json()["reference"]
    await ivr.get(
        f"/bookings/{reference}", params={"passport_digits": passport, "birth_date": BIRTH}
    )
    await ivr.get("/bookings/12345678", params={"passport_digits": PASSPORT, "birth_date": BIRTH})
    # httpx is the test's client here, not the service: it logs the URLs it requests
    logged = "\n".join(
        record.getMessage() for record in caplog.records if not record.name.startswith("httpx")
    )
    assert "GET /bookings/{reference} 200" in logged
    assert passport not in logged and PASSPORT not in logged
    assert "ivr-dev-token" not in logged
    assert "ivr-dev-token" not in repr(app.state.services.context.settings)


async def test_unknown_route_is_a_json_error(ivr: httpx.AsyncClient) -> None:
    response = await ivr.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error_id"] == "not-found"
