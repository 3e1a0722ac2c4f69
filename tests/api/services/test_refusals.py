"""Every answer of the hold and booking rules, exactly: status, ``error_id`` and ``details``.

The rules live once, in the functions of the migrations (``slot_service_take_hold``,
``slot_service_book_hold``, and the seat arithmetic they share with availability). Each test
drives the service through the HTTP routes into one outcome word of
``api.services.outcomes.Outcome`` and asserts the answer the caller gets, so a change of a
rule, of its order or of its error shows here.

``hold-used`` (a hold booked or released between the read and the write) needs a race and
is not covered here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import text

from api.clock import ManualClock
from api.references import is_valid_reference
from tests.api.conftest import START
from tests.api.support import CALLER, PASSPORT, book, first_slot, hold, hold_and_book

LATER = "2026-12-17T07:00:00+01:00"  # outside the 48 h borrow window
NO_SLOT = 10_000_000
NO_HOLD = "0" * 32
OTHER = "+420601999999"
Answer = tuple[int, str | None, dict[str, Any] | None]


# --- helpers ---------------------------------------------------------------------------------


def answer(response: httpx.Response) -> Answer:
    """Status, error_id and details of a refusal; the status alone (and two Nones) of a
    success."""
    if response.status_code < 300:
        return response.status_code, None, None
    body = response.json()
    return response.status_code, body["error_id"], body["details"]


async def held(ivr: httpx.AsyncClient, slot_id: int, caller: str = CALLER) -> str:
    response = await hold(ivr, slot_id, caller)
    assert response.status_code == 201, response.text
    hold_id: str = response.json()["hold_id"]
    return hold_id


async def use_up_hold_limit(ivr: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Hold 30 slots (the hourly limit) for CALLER; return the 31st slot still free."""
    response = await ivr.get(
        "/availability",
        params={"office": "praha-cigankova", "visit_type": "biometrics", "limit": 31},
    )
    slots: list[dict[str, Any]] = response.json()["slots"]
    for slot in slots[:30]:
        await held(ivr, slot["slot_id"])
    return slots[30:]


async def close_day_of(admin: httpx.AsyncClient, slot: dict[str, Any]) -> None:
    day = dt.datetime.fromisoformat(slot["starts_at"]).date()
    closed = await admin.post(
        "/admin/closures",
        json={"office": slot["office"], "date": day.isoformat(), "reason": "flood"},
    )
    assert closed.status_code == 201, closed.text


def too_late(slot_id: int) -> Answer:
    return 409, "too-late", {"slot_id": slot_id, "min_hours_ahead": 2.0}


def hold_not_found(hold_id: str) -> Answer:
    return 404, "hold-not-found", {"hold_id": hold_id}


# --- holds -----------------------------------------------------------------------------------


async def test_held(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    response = await hold(ivr, slot["slot_id"])
    assert answer(response) == (201, None, None)
    assert response.json()["slot_id"] == slot["slot_id"]


async def test_hold_limit(ivr: httpx.AsyncClient) -> None:
    [spare] = await use_up_hold_limit(ivr)
    assert answer(await hold(ivr, spare["slot_id"])) == (429, "hold-limit", {"limit": 30})


async def test_hold_limit_counts_holds_made_after_one_hour_ago(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    [spare] = await use_up_hold_limit(ivr)
    clock.advance(hours=1)  # the 30 holds were made exactly one hour ago: no longer counted
    assert answer(await hold(ivr, spare["slot_id"])) == (201, None, None)


async def test_hold_limit_wins_over_slot_not_found(ivr: httpx.AsyncClient) -> None:
    await use_up_hold_limit(ivr)
    assert answer(await hold(ivr, NO_SLOT)) == (429, "hold-limit", {"limit": 30})


async def test_slot_not_found(ivr: httpx.AsyncClient) -> None:
    assert answer(await hold(ivr, NO_SLOT)) == (404, "slot-not-found", {"slot_id": NO_SLOT})


async def test_office_closed_for_a_hold(ivr: httpx.AsyncClient, admin: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    await close_day_of(admin, slot)
    assert answer(await hold(ivr, slot["slot_id"])) == (
        409,
        "office-closed",
        {"slot_id": slot["slot_id"]},
    )


async def test_office_closed_for_a_booking_of_an_earlier_hold(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    slot = await first_slot(ivr)
    hold_id = await held(ivr, slot["slot_id"])
    await close_day_of(admin, slot)
    assert answer(await book(ivr, hold_id)) == (
        409,
        "office-closed",
        {"slot_id": slot["slot_id"]},
    )


async def test_too_late_for_a_hold(ivr: httpx.AsyncClient, clock: ManualClock) -> None:
    slot = await first_slot(ivr)
    clock.set(dt.datetime.fromisoformat(slot["starts_at"]) - dt.timedelta(hours=1))
    assert answer(await hold(ivr, slot["slot_id"])) == too_late(slot["slot_id"])


async def test_too_late_for_a_booking(ivr: httpx.AsyncClient, clock: ManualClock) -> None:
    slot = await first_slot(ivr, after=(START + dt.timedelta(hours=3)).isoformat())
    starts = dt.datetime.fromisoformat(slot["starts_at"])
    clock.set(starts - dt.timedelta(hours=2, seconds=30))  # just before the minimum notice
    hold_id = await held(ivr, slot["slot_id"])
    clock.advance(seconds=60)  # past the notice, not past the hold's 120 s
    assert answer(await book(ivr, hold_id)) == too_late(slot["slot_id"])


async def test_slot_full_outside_the_borrow_window(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr, after=LATER)
    for caller in ("+420600000001", "+420600000002"):  # the phone's quota of 2
        await held(ivr, slot["slot_id"], caller)
    assert answer(await hold(ivr, slot["slot_id"], "+420600000003")) == (
        409,
        "slot-full",
        {"slot_id": slot["slot_id"]},
    )


async def test_held_inside_the_borrow_window_on_other_channels_seats(
    ivr: httpx.AsyncClient,
) -> None:
    slot = await first_slot(ivr)  # inside the window: 2 phone + 1 operator + 1 counter seats
    answers = [answer(await hold(ivr, slot["slot_id"], f"+42060000001{n}")) for n in range(5)]
    assert answers == [(201, None, None)] * 4 + [(409, "slot-full", {"slot_id": slot["slot_id"]})]


async def test_borrow_window_starts_exactly_48_hours_before_the_slot(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    slot = await first_slot(ivr, after=LATER)
    starts = dt.datetime.fromisoformat(slot["starts_at"])
    clock.set(starts - dt.timedelta(hours=48, seconds=1))  # a second outside the window
    for caller in ("+420600000001", "+420600000002"):
        await held(ivr, slot["slot_id"], caller)
    full = (409, "slot-full", {"slot_id": slot["slot_id"]})
    assert answer(await hold(ivr, slot["slot_id"], "+420600000003")) == full
    clock.advance(seconds=1)  # exactly 48 h before: inside
    assert answer(await hold(ivr, slot["slot_id"], "+420600000003")) == (201, None, None)


# --- bookings --------------------------------------------------------------------------------


async def test_booked(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    response = await book(ivr, await held(ivr, slot["slot_id"]), key="k-1")
    assert answer(response) == (201, None, None)
    body = response.json()
    assert is_valid_reference(body["reference"])
    assert (body["slot_id"], body["status"], body["channel"]) == (
        slot["slot_id"],
        "confirmed",
        "phone",
    )


async def test_replay(ivr: httpx.AsyncClient) -> None:
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"])
    first = await book(ivr, hold_id, key="retry-me")
    again = await book(ivr, hold_id, key="retry-me")
    assert answer(first) == answer(again) == (201, None, None)
    assert again.json() == first.json()


async def test_idempotency_conflict(ivr: httpx.AsyncClient) -> None:
    first = await held(ivr, (await first_slot(ivr))["slot_id"])
    assert (await book(ivr, first, key="same")).status_code == 201
    other = await held(ivr, (await first_slot(ivr, visit_type="biometrics"))["slot_id"])
    assert answer(await book(ivr, other, key="same", passport="99999999")) == (
        409,
        "idempotency-conflict",
        {"hold_id": other},
    )


async def test_hold_not_found_unknown_id(ivr: httpx.AsyncClient) -> None:
    assert answer(await book(ivr, NO_HOLD)) == hold_not_found(NO_HOLD)


async def test_hold_not_found_for_another_caller_number(ivr: httpx.AsyncClient) -> None:
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"])
    assert answer(await book(ivr, hold_id, caller=OTHER)) == hold_not_found(hold_id)


async def test_hold_not_found_on_another_channel(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"])  # a phone hold
    assert answer(await book(admin, hold_id)) == hold_not_found(hold_id)  # counter


async def test_hold_not_found_once_released(ivr: httpx.AsyncClient) -> None:
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"])
    assert (await ivr.delete(f"/holds/{hold_id}")).status_code == 204
    assert answer(await book(ivr, hold_id)) == hold_not_found(hold_id)


async def test_hold_not_found_once_booked(ivr: httpx.AsyncClient) -> None:
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"])
    assert (await book(ivr, hold_id)).status_code == 201
    assert answer(await book(ivr, hold_id, passport="99999999")) == hold_not_found(hold_id)


async def test_hold_expired(ivr: httpx.AsyncClient, clock: ManualClock) -> None:
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"])
    clock.advance(seconds=120)  # the phone's TTL: expired at exactly expires_at
    assert answer(await book(ivr, hold_id)) == (410, "hold-expired", {"hold_id": hold_id})


async def test_identity_limit_visit_type(ivr: httpx.AsyncClient) -> None:
    await hold_and_book(ivr)
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"], OTHER)
    assert answer(await book(ivr, hold_id, caller=OTHER)) == (
        409,
        "identity-limit",
        {"rule": "active-per-visit-type", "visit_type": "ltr-extension"},
    )


async def test_identity_limit_window(ivr: httpx.AsyncClient) -> None:
    for visit_type in ("ltr-extension", "biometrics", "card-pickup"):
        await hold_and_book(ivr, visit_type=visit_type)
    slot = await first_slot(ivr, visit_type="permanent-residence")
    assert answer(await book(ivr, await held(ivr, slot["slot_id"]))) == (
        409,
        "identity-limit",
        {"rule": "bookings-per-window", "limit": 3, "window_days": 60},
    )


# --- a refusal writes nothing ----------------------------------------------------------------

SNAPSHOT = text(
    "SELECT (SELECT count(*) FROM holds WHERE status = 'active') AS active_holds, "
    "(SELECT count(*) FROM holds) AS holds, "
    "(SELECT count(*) FROM bookings) AS bookings, "
    "(SELECT coalesce(sum(booked_phone + booked_operator + booked_counter), 0) FROM slots)"
    " AS booked"
)


async def snapshot(app: FastAPI) -> tuple[int, ...]:
    async with app.state.services.context.database.autocommit() as runner:
        row = await runner.one(SNAPSHOT)
    return tuple(int(value) for value in row.values())


async def test_a_refused_hold_and_a_refused_booking_write_nothing(
    app: FastAPI, ivr: httpx.AsyncClient
) -> None:
    await hold_and_book(ivr)  # ltr-extension: the identity's one active booking of that type
    full = await first_slot(ivr, after=LATER)
    for caller in ("+420600000001", "+420600000002"):
        await held(ivr, full["slot_id"], caller)
    hold_id = await held(ivr, (await first_slot(ivr))["slot_id"], OTHER)
    before = await snapshot(app)
    assert before == (3, 4, 1, 1)
    refused_hold = await hold(ivr, full["slot_id"], "+420600000003")
    assert answer(refused_hold)[1] == "slot-full"
    refused_booking = await book(ivr, hold_id, caller=OTHER, passport=PASSPORT)
    assert answer(refused_booking)[1] == "identity-limit"
    assert await snapshot(app) == before
