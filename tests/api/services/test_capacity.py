"""A capacity change racing bookings of the slots it changes: whichever commits first, no slot
ends with more seats taken than it has, and the change is all or nothing."""

from __future__ import annotations

import asyncio
from typing import cast

import httpx
from fastapi import FastAPI
from sqlalchemy import Integer, Table, bindparam, func, select

from api.models import Booking, BookingStatus, Slot
from api.testing import query
from tests.api.support import book, first_slot, hold

SLOTS = cast(Table, Slot.__table__)
BOOKINGS = cast(Table, Booking.__table__)
SEATS_AND_TAKEN = select(
    SLOTS.c.seats_phone + SLOTS.c.seats_operator + SLOTS.c.seats_counter,
    SLOTS.c.booked_phone + SLOTS.c.booked_operator + SLOTS.c.booked_counter,
    select(func.count())
    .where(BOOKINGS.c.slot_id == SLOTS.c.id, BOOKINGS.c.status == BookingStatus.confirmed.value)
    .scalar_subquery(),
).where(SLOTS.c.id == bindparam("slot_id", type_=Integer()))


async def test_a_capacity_change_racing_bookings_never_overbooks(
    app: FastAPI, ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    templates = (await admin.get("/admin/capacity-templates", params={
        "office": "praha-zukovskeho", "visit_type": "ltr-extension"})).json()
    tuesday = next(t for t in templates if t["weekday"] == 1 and t["start"] == "08:00")
    slot = await first_slot(ivr, after="2026-12-08T07:59:00+01:00")
    assert slot["starts_at"] == "2026-12-08T08:00:00+01:00" and slot["free_seats"] == 4

    async def one_caller(index: int) -> str:
        caller = f"+42060{index:07d}"
        held = await hold(ivr, slot["slot_id"], caller)
        if held.status_code != 201:
            return str(held.json()["error_id"])
        booked = await book(ivr, held.json()["hold_id"], caller=caller, passport=f"{index:08d}")
        return "booked" if booked.status_code == 201 else str(booked.json()["error_id"])

    async def change() -> httpx.Response:
        await asyncio.sleep(0.02)
        return await admin.put(f"/admin/capacity-templates/{tuesday['template_id']}",
                               json={"seats": {"phone": 2, "operator": 0, "counter": 0}})

    *outcomes, changed = await asyncio.wait_for(
        asyncio.gather(*(one_caller(index) for index in range(12)), change()), timeout=60
    )
    assert changed.status_code in (200, 409), changed.text
    seats, counted, confirmed = (await query(app, SEATS_AND_TAKEN,
                                             {"slot_id": slot["slot_id"]}))[0]
    assert counted == confirmed == outcomes.count("booked") <= seats
    if changed.status_code == 200:
        assert seats == 2
    else:
        assert changed.json()["error_id"] == "capacity-below-booked"
        assert seats == 4 and confirmed > 2
