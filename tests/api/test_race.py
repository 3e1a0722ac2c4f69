"""Races for the last seats of one slot: never more bookings than seats.

On PostgreSQL through the real HTTP stack (uvicorn on a free loopback port, 200 concurrent
clients each holding then booking); on SQLite in-process with 50 clients.
"""

from __future__ import annotations

import asyncio
import socket
from collections import Counter
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from api.app import create_app
from api.models import Booking, BookingStatus, Slot
from api.settings import ApiSettings
from api.testing import DEV_TOKENS, client_for, prepare, sqlite_settings


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
    database = app.state.services.context.database
    async with database.transaction() as session:
        slot = await session.get(Slot, first["slot_id"])
        assert slot is not None
        confirmed = await session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.slot_id == slot.id, Booking.status == BookingStatus.confirmed)
        )
        seats = slot.seats_phone + slot.seats_operator + slot.seats_counter
        counted = slot.booked_phone + slot.booked_operator + slot.booked_counter
    assert confirmed == counted == 1 + last_seats["free_seats"] <= seats


@pytest.mark.postgres
async def test_200_clients_race_for_the_last_seats_over_http_on_postgresql(
    postgres_url: str,
) -> None:
    app = create_app(ApiSettings(database_url=postgres_url, database_pool_size=10))
    await prepare(app, days=7)
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


async def test_50_clients_race_for_the_last_seats_on_sqlite(tmp_path: Path) -> None:
    app = create_app(sqlite_settings(tmp_path))
    try:
        await prepare(app, days=7)
        async with client_for(app, DEV_TOKENS["ivr"]) as client:
            await race(app, client, clients=50)
    finally:
        await app.state.services.context.database.dispose()
