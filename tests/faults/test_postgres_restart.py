"""PostgreSQL restarted while bookings are being made (a private server, see private_postgres:
the embedded PostgreSQL in a folder of its own).

Callers book continuously while the server is stopped and started again. Requests during the
outage fail cleanly (503 ``database-unavailable``, never a 500); the service recovers by itself
(no restart of the app); every booking confirmed with a 201 is still there afterwards; a booking
whose answer was lost is retried with its Idempotency-Key and confirmed exactly once; no slot
holds more bookings than seats.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from api.db import asyncpg_dsn
from api.embedded import EmbeddedPostgres
from api.settings import ApiSettings
from api.testing import DEV_TOKENS, client_for, prepared_app
from tests.faults.private_postgres import private_postgres

CALLERS = 6
OUTAGE_S = 1.5
RECOVERY_LIMIT_S = 10.0


@dataclass
class Tally:
    confirmed: set[str] = field(default_factory=set)
    lost_answers: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    statuses: Counter[tuple[int, str]] = field(default_factory=Counter)
    last_success: float = 0.0


@pytest.fixture
def postgres() -> Iterator[EmbeddedPostgres]:
    with private_postgres() as server:
        yield server


async def _caller(client: httpx.AsyncClient, index: int, tally: Tally, stop: asyncio.Event) -> None:
    attempt = 0
    while not stop.is_set() and attempt < 200:
        attempt += 1
        caller = f"+4207{index:02d}{attempt:06d}"
        responses: list[httpx.Response] = []
        found = await client.get("/availability", params={
            "office": ("praha-zukovskeho", "kladno", "benesov")[index % 3],
            "visit_type": ("ltr-new", "ltr-extension", "biometrics", "card-pickup")[index % 4],
        })
        responses.append(found)
        if found.status_code == 200 and found.json()["slots"]:
            held = await client.post("/holds", json={
                "slot_id": found.json()["slots"][0]["slot_id"], "caller_number": caller,
                "language": "cs"})
            responses.append(held)
            if held.status_code == 201:
                key = f"restart-{index}-{attempt}"
                body = {"hold_id": held.json()["hold_id"], "caller_number": caller,
                        "language": "cs", "passport_digits": f"9{index:02d}{attempt:05d}",
                        "birth_date": "1970-01-01"}
                booked = await client.post("/bookings", json=body,
                                           headers={"Idempotency-Key": key})
                responses.append(booked)
                if booked.status_code == 201:
                    tally.confirmed.add(booked.json()["reference"])
                    tally.last_success = time.monotonic()
                elif booked.status_code == 503:
                    tally.lost_answers.append((key, body))
        for response in responses:
            error_id = response.json().get("error_id", "") if response.status_code >= 400 else ""
            tally.statuses[(response.status_code, error_id)] += 1
        await asyncio.sleep(0.02)


@pytest.mark.postgres
@pytest.mark.slow
async def test_bookings_survive_a_postgres_restart(postgres: EmbeddedPostgres) -> None:
    settings = ApiSettings(database_url=postgres.url, database_pool_size=4)
    async with prepared_app(settings=settings, days=5) as app:
        app_under_test: FastAPI = app
        tally, stop = Tally(), asyncio.Event()
        async with client_for(app_under_test, DEV_TOKENS["ivr"]) as client:
            callers = [asyncio.create_task(_caller(client, index, tally, stop))
                       for index in range(CALLERS)]
            await asyncio.sleep(1.0)
            before = len(tally.confirmed)
            await asyncio.to_thread(postgres.stop, mode="fast")
            stopped_at = time.monotonic()
            await asyncio.sleep(OUTAGE_S)
            during = sum(count for (status, _), count in tally.statuses.items() if status == 503)
            await asyncio.to_thread(postgres.start)
            started_at = time.monotonic()
            deadline = started_at + RECOVERY_LIMIT_S
            while tally.last_success < started_at and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            recovered_after = tally.last_success - started_at
            await asyncio.sleep(0.5)
            stop.set()
            await asyncio.gather(*callers)
            retried = [
                await client.post("/bookings", json=body, headers={"Idempotency-Key": key})
                for key, body in tally.lost_answers
            ]

    print(f"\nstatuses {dict(tally.statuses)}; confirmed {len(tally.confirmed)} "
          f"({before} before the stop at {stopped_at:.1f}); recovered {recovered_after:.2f} s "
          f"after the start; {len(retried)} lost answers retried")
    assert before > 0 and during > 0, "bookings ran before the outage and met it"
    assert {status for status, _ in tally.statuses} <= {200, 201, 409, 410, 503}, tally.statuses
    assert all(error == "database-unavailable" for (status, error) in tally.statuses
               if status == 503)
    assert 0 <= recovered_after < RECOVERY_LIMIT_S, "the service did not recover by itself"
    for response in retried:  # answered now: either the first attempt's booking or a new one
        assert response.status_code in (201, 404, 409, 410), response.text
        if response.status_code == 201:
            tally.confirmed.add(response.json()["reference"])

    connection = await asyncpg.connect(asyncpg_dsn(postgres.url))
    try:
        stored = {row["reference"]: row["status"] for row in await connection.fetch(
            "SELECT reference, status FROM bookings")}
        overbooked = await connection.fetchval(
            "SELECT count(*) FROM slots s WHERE s.booked_phone + s.booked_operator"
            " + s.booked_counter > s.seats_phone + s.seats_operator + s.seats_counter"
            " OR s.booked_phone <> (SELECT count(*) FROM bookings b WHERE b.slot_id = s.id"
            " AND b.channel = 'phone' AND b.status = 'confirmed')")
    finally:
        await connection.close()
    assert tally.confirmed <= set(stored), "a confirmed booking was lost"
    assert all(stored[reference] == "confirmed" for reference in tally.confirmed)
    assert overbooked == 0
