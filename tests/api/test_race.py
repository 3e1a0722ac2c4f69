"""Races for the last seats of one slot: never more bookings than seats.

Through the real HTTP stack (uvicorn on a free loopback port), 200 concurrent clients each
holding then booking.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from typing import cast

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Table, bindparam, func, select

from api.models import Booking, BookingStatus, Slot
from api.settings import ApiSettings
from api.testing import DEV_TOKENS, client_for, prepared_app

SLOTS = cast(Table, Slot.__table__)
BOOKINGS = cast(Table, Booking.__table__)
SEATS_AND_CONFIRMED = select(
    SLOTS.c.seats_phone + SLOTS.c.seats_operator + SLOTS.c.seats_counter,
    SLOTS.c.booked_phone + SLOTS.c.booked_operator + SLOTS.c.booked_counter,
    select(func.count())
    .where(BOOKINGS.c.slot_id == SLOTS.c.id, BOOKINGS.c.status == BookingStatus.confirmed.value)
    .scalar_subquery(),
).where(SLOTS.c.id == bindparam("slot_id"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def one_caller(client: httpx.AsyncClient, slot_id: int, index: int) -> str:
    caller = f"+42060{index:07d}"
    held = await client.post(
        "/holds", json={"slot_id": slot_id, "caller_number": caller, "language": "cs"}
    )
    if held.status_code != 201:
        return str(held.json()["error_id"])
    booked = await client.post(
        "/bookings",
        headers={"Idempotency-Key": f"race-{index}"},
        json={
            "hold_id": held.json()["hold_id"],
            "caller_number": caller,
            "language": "cs",
            "passport_digits": f"{index:08d}",
            "birth_date": "1985-02-03",
        },
    )
    return "booked" if booked.status_code == 201 else str(booked.json()["error_id"])


async def race(app: FastAPI, client: httpx.AsyncClient, clients: int) -> None:
    first = (
        await client.get(
            "/availability",
            params={"office": "praha-zukovskeho", "visit_type": "ltr-new", "limit": 1},
        )
    ).json()["slots"][0]
    async with client_for(app, DEV_TOKENS["operator"]) as operator:
        taken = await operator.post(
            "/operator/bookings",
            json={
                "slot_id": first["slot_id"],
                "caller_number": "+420600999999",
                "language": "cs",
                "passport_digits": "99999999",
                "birth_date": "1980-01-01",
            },
        )
        assert taken.status_code == 201, taken.text
    last_seats = (
        await client.get(
            "/availability",
            params={"office": "praha-zukovskeho", "visit_type": "ltr-new", "limit": 1},
        )
    ).json()["slots"][0]
    assert last_seats["slot_id"] == first["slot_id"]
    outcomes = Counter(
        await asyncio.gather(
            *(one_caller(client, first["slot_id"], index) for index in range(clients))
        )
    )
    assert last_seats["free_seats"] >= 2  # the last seats, plural: 2 outside, 3 inside the window
    assert outcomes["booked"] == last_seats["free_seats"], outcomes
    assert outcomes["slot-full"] == clients - last_seats["free_seats"], outcomes
    async with app.state.services.context.database.autocommit() as runner:
        seats, counted, confirmed = await runner.one(
            SEATS_AND_CONFIRMED, {"slot_id": first["slot_id"]}
        )
    assert confirmed == counted == 1 + last_seats["free_seats"] <= seats


@pytest.mark.postgres
async def test_200_clients_race_for_the_last_seats_over_http(postgres_server: str) -> None:
    settings = ApiSettings(database_pool_size=10)
    async with prepared_app(postgres_server, settings=settings, days=7) as app:
        await _race_over_http(app)


async def _race_over_http(app: FastAPI) -> None:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {DEV_TOKENS['ivr']}"},
            limits=httpx.Limits(max_connections=250),
            timeout=60,
        ) as client:
            await race(app, client, clients=200)
    finally:
        server.should_exit = True
        await serving
