"""Changing a booking twice at once: the second change finds it no longer confirmed and is
refused, and the seat goes back to the slot once (a second decrement would let the slot be
overbooked later)."""

from __future__ import annotations

import asyncio
from typing import cast

import httpx
from fastapi import FastAPI
from sqlalchemy import Integer, Table, bindparam, select

from api.models import Slot
from tests.api.support import CALLER, hold_and_book

SLOTS = cast(Table, Slot.__table__)
BOOKED = select(SLOTS.c.booked_phone).where(SLOTS.c.id == bindparam("slot_id", type_=Integer()))


async def booked_phone(app: FastAPI, slot_id: int) -> int:
    async with app.state.services.context.database.autocommit() as runner:
        count: int = await runner.scalar(BOOKED, {"slot_id": slot_id})
    return count


async def test_two_cancellations_at_once_give_the_seat_back_once(
    app: FastAPI, ivr: httpx.AsyncClient
) -> None:
    booking = await hold_and_book(ivr)
    assert await booked_phone(app, booking["slot_id"]) == 1
    path = f"/bookings/{booking['reference']}/cancel"
    answers = await asyncio.gather(
        *(ivr.post(path, json={"caller_number": CALLER}) for _ in range(4))
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409, 409, 409]
    refused = [answer.json() for answer in answers if answer.status_code == 409]
    assert {body["error_id"] for body in refused} == {"booking-not-active"}
    assert await booked_phone(app, booking["slot_id"]) == 0


async def test_attendance_marked_twice_at_once_is_marked_once(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    booking = await hold_and_book(ivr)
    path = f"/operator/bookings/{booking['reference']}/attendance"
    answers = await asyncio.gather(
        admin.post(path, json={"status": "attended"}),
        admin.post(path, json={"status": "no-show"}),
    )
    assert sorted(answer.status_code for answer in answers) == [200, 409]
