"""Closing an office for a day or part of one: the preview changes nothing, the closure cancels
exactly the bookings of the closed slots (each naming it) and gives their seats back, nothing
is booked into the closed period afterwards, even by bookings racing the closure, and slots
materialised later into a closed part are born closed."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, cast

import httpx
from fastapi import FastAPI
from sqlalchemy import Date, Table, bindparam, func, select

from api.models import Booking, BookingStatus, Slot
from api.testing import query
from tests.api.support import book, first_slot, hold, hold_and_book

SLOTS = cast(Table, Slot.__table__)
BOOKINGS = cast(Table, Booking.__table__)
OFFICE = "praha-zukovskeho"
TUESDAY = dt.date(2026, 12, 8)
# every slot of the office and day: its counts against its confirmed bookings
DAY_SLOTS = (
    select(
        SLOTS.c.id,
        SLOTS.c.starts_at,
        SLOTS.c.ends_at,
        SLOTS.c.closed,
        SLOTS.c.booked_phone + SLOTS.c.booked_operator + SLOTS.c.booked_counter,
        select(func.count())
        .where(
            BOOKINGS.c.slot_id == SLOTS.c.id,
            BOOKINGS.c.status == BookingStatus.confirmed.value,
        )
        .scalar_subquery(),
    )
    .where(SLOTS.c.office_code == OFFICE, SLOTS.c.local_date == bindparam("day", type_=Date()))
    .order_by(SLOTS.c.id)
)
CLOSED_BY = select(BOOKINGS.c.reference, BOOKINGS.c.status, BOOKINGS.c.cancelled_by_closure_id)


async def test_part_of_a_day_cancels_only_its_bookings_and_gives_their_seats_back(
    app: FastAPI, ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    inside = await hold_and_book(ivr, after="2026-12-08T10:00:00+01:00",
                                 caller="+420600000001", passport="11111111")
    outside = await hold_and_book(ivr, after="2026-12-08T12:00:00+01:00",
                                  caller="+420600000002", passport="22222222")
    assert inside["starts_at"].startswith("2026-12-08T10:")
    period = {"office": OFFICE, "date": TUESDAY.isoformat(), "start": "10:00", "end": "11:00"}
    preview = await admin.post("/admin/closures/preview", json=period)
    assert [b["reference"] for b in preview.json()["bookings_to_cancel"]] == [inside["reference"]]
    assert all(not row.closed for row in await query(app, DAY_SLOTS, {"day": TUESDAY}))

    closed = await admin.post("/admin/closures", json={**period, "reason": "power cut"})
    assert closed.status_code == 201, closed.text
    assert (closed.json()["start"], closed.json()["end"]) == ("10:00", "11:00")
    closure_id = closed.json()["closure_id"]
    assert [b["reference"] for b in closed.json()["bookings_cancelled"]] == [inside["reference"]]
    rows = {row.reference: row for row in await query(app, CLOSED_BY)}
    assert rows[inside["reference"]].status == "cancelled"
    assert rows[inside["reference"]].cancelled_by_closure_id == closure_id
    assert rows[outside["reference"]].status == "confirmed"
    assert rows[outside["reference"]].cancelled_by_closure_id is None
    zone = app.state.services.context.zone
    ten, eleven = (dt.datetime.combine(TUESDAY, dt.time(h), tzinfo=zone) for h in (10, 11))
    for slot_id, starts_at, ends_at, is_closed, counted, confirmed in await query(
        app, DAY_SLOTS, {"day": TUESDAY}
    ):
        assert counted == confirmed, slot_id
        assert is_closed == (starts_at < eleven and ends_at > ten), slot_id
    still_open = await first_slot(ivr, OFFICE, "ltr-extension", after="2026-12-08T10:00:00+01:00")
    assert still_open["starts_at"] >= "2026-12-08T11:00:00+01:00"
    covered = await admin.post(
        "/admin/closures",
        json={**period, "start": "10:15", "end": "10:45", "reason": "again"},
    )
    assert covered.json()["error_id"] == "closure-exists"
    # overlapping: it closes what the first left open (10:00-11:00 is closed already)
    later = await admin.post(
        "/admin/closures", json={**period, "start": "10:30", "end": "12:00", "reason": "later"}
    )
    assert later.status_code == 201, later.text
    assert later.json()["bookings_cancelled"] == []
    # reopening the first opens what the second does not cover (10:00-10:30) only
    assert (await admin.delete(f"/admin/closures/{closure_id}")).status_code == 200
    reopened = await first_slot(ivr, OFFICE, "ltr-extension", after="2026-12-08T09:59:00+01:00")
    assert reopened["starts_at"] == "2026-12-08T10:00:00+01:00"
    assert reopened["ends_at"] <= "2026-12-08T10:30:00+01:00"
    after_ten = await first_slot(ivr, OFFICE, "ltr-extension", after="2026-12-08T10:59:00+01:00")
    assert after_ten["starts_at"] >= "2026-12-08T12:00:00+01:00"


async def test_bookings_racing_a_closure_never_land_in_the_closed_day(
    app: FastAPI, ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    slots = (
        await ivr.get(
            "/availability",
            params={
                "office": OFFICE,
                "visit_type": "ltr-extension",
                "after": "2026-12-08T00:00:00+01:00",
                "limit": 20,
            },
        )
    ).json()["slots"]
    slots = [slot for slot in slots if slot["starts_at"].startswith("2026-12-08")]
    assert len(slots) >= 10

    async def one_caller(index: int) -> str:
        caller = f"+42060{index:07d}"
        held = await hold(ivr, slots[index % len(slots)]["slot_id"], caller)
        if held.status_code != 201:
            return str(held.json()["error_id"])
        await asyncio.sleep(0)
        booked = await book(ivr, held.json()["hold_id"], caller=caller, passport=f"{index:08d}")
        return "booked" if booked.status_code == 201 else str(booked.json()["error_id"])

    async def close() -> httpx.Response:
        await asyncio.sleep(0.05)
        return await admin.post(
            "/admin/closures", json={"office": OFFICE, "date": "2026-12-08", "reason": "strike"}
        )

    *outcomes, closed = await asyncio.wait_for(
        asyncio.gather(*(one_caller(index) for index in range(40)), close()), timeout=60
    )
    assert closed.status_code == 201, closed.text
    assert set(outcomes) <= {"booked", "office-closed", "slot-full"}, outcomes
    for slot_id, _, _, is_closed, counted, confirmed in await query(
        app, DAY_SLOTS, {"day": TUESDAY}
    ):
        assert is_closed, slot_id
        assert counted == confirmed == 0, slot_id
    cancelled = {b["reference"] for b in closed.json()["bookings_cancelled"]}
    # whatever was booked before the closure committed, it cancelled; nothing came after
    assert len(cancelled) == outcomes.count("booked")


async def test_a_closed_part_materialised_later_is_born_closed(
    app: FastAPI, admin: httpx.AsyncClient
) -> None:
    day = dt.date(2026, 12, 22)  # beyond the 14 materialised days
    assert await query(app, DAY_SLOTS, {"day": day}) == []
    closed = await admin.post(
        "/admin/closures",
        json={"office": OFFICE, "date": day.isoformat(), "start": "09:00", "end": "10:00",
              "reason": "training"},
    )
    assert closed.json()["slots_closed"] == 0
    await admin.post("/admin/materialise", params={"days": 20})
    rows = await query(app, DAY_SLOTS, {"day": day})
    closed_starts = {row.starts_at for row in rows if row.closed}
    assert closed_starts and len(closed_starts) < len(rows)
    zone = app.state.services.context.zone
    assert all(
        dt.time(8, 30) < moment.astimezone(zone).time() < dt.time(10) for moment in closed_starts
    )


async def test_refused_closures_say_why(admin: httpx.AsyncClient) -> None:
    past = await admin.post(
        "/admin/closures", json={"office": OFFICE, "date": "2026-12-04", "reason": "late"}
    )
    assert past.status_code == 409
    assert past.json()["error_id"] == "too-late"
    backwards = await admin.post(
        "/admin/closures/preview",
        json={"office": OFFICE, "date": "2026-12-08", "start": "11:00", "end": "10:00"},
    )
    assert backwards.json()["error_id"] == "validation-error"
    half = await admin.post(
        "/admin/closures/preview", json={"office": OFFICE, "date": "2026-12-08", "start": "11:00"}
    )
    assert half.json()["error_id"] == "validation-error"
    nowhere = await admin.post(
        "/admin/closures/preview", json={"office": "atlantis", "date": "2026-12-08"}
    )
    assert nowhere.json()["error_id"] == "office-not-found"


async def test_a_closure_amid_cancellations_and_reschedules_deadlocks_with_none(
    app: FastAPI, ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    """The closure locks slots by id, like the reschedule (identity, then both slots by id)
    and the cancellation: run together, every one ends with an answer, none with a
    deadlock (a 500), and every slot's counts match its confirmed bookings."""
    callers = [f"+4206001000{index:02d}" for index in range(10)]
    booked = [
        await hold_and_book(ivr, after="2026-12-08T07:59:00+01:00", caller=caller,
                            passport=f"7000{index:04d}")
        for index, caller in enumerate(callers)
    ]
    holds_elsewhere = []
    for caller in callers[5:]:  # the new slots of the reschedules, on Wednesday
        slot = await first_slot(ivr, OFFICE, "ltr-extension", after="2026-12-09T07:59:00+01:00")
        held = await hold(ivr, slot["slot_id"], caller)
        assert held.status_code == 201, held.text
        holds_elsewhere.append(held.json()["hold_id"])

    async def cancel(booking: dict[str, Any], caller: str) -> int:
        answer = await ivr.post(f"/bookings/{booking['reference']}/cancel",
                                json={"caller_number": caller})
        return answer.status_code

    async def reschedule(booking: dict[str, Any], caller: str, hold_id: str) -> int:
        answer = await ivr.post(f"/bookings/{booking['reference']}/reschedule",
                                json={"hold_id": hold_id, "caller_number": caller})
        return answer.status_code

    async def close() -> int:
        answer = await admin.post("/admin/closures", json={
            "office": OFFICE, "date": "2026-12-08", "reason": "strike"})
        return answer.status_code

    codes = await asyncio.wait_for(asyncio.gather(
        *(cancel(b, c) for b, c in zip(booked[:5], callers[:5], strict=True)),
        close(),
        *(reschedule(b, c, h)
          for b, c, h in zip(booked[5:], callers[5:], holds_elsewhere, strict=True)),
    ), timeout=60)
    assert 500 not in codes and codes[5] == 201, codes
    assert set(codes) <= {200, 201, 409}, codes
    for day in (TUESDAY, dt.date(2026, 12, 9)):
        for slot_id, _, _, is_closed, counted, confirmed in await query(
            app, DAY_SLOTS, {"day": day}
        ):
            assert counted == confirmed, (day, slot_id)
            assert is_closed == (day == TUESDAY), (day, slot_id)
            if day == TUESDAY:
                assert confirmed == 0, slot_id
