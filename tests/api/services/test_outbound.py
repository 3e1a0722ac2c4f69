"""Outbound calls on PostgreSQL: reminders the working day before, the calling window, one call
per booking per event, the concurrency limit, retries of unreached callers, opt-outs, and what
the desk reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api.clock import ManualClock
from api.settings import ApiSettings, OutboundSettings
from api.testing import DEV_TOKENS, client_for, prepared_app
from tests.api.support import book, first_slot, hold

PRAGUE = dt.timezone(dt.timedelta(hours=1))  # CET: December
OFFICE = "praha-zukovskeho"


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=PRAGUE)


async def book_on(ivr: httpx.AsyncClient, day: int, caller: str,
                  visit_type: str = "ltr-extension") -> str:
    slot = await first_slot(ivr, OFFICE, visit_type, after=at(day, 0).isoformat())
    assert slot["starts_at"].startswith(f"2026-12-{day:02d}"), slot
    held = await hold(ivr, slot["slot_id"], caller)
    assert held.status_code == 201, held.text
    booked = await book(ivr, held.json()["hold_id"], caller=caller,
                        passport=caller[-8:])
    assert booked.status_code == 201, booked.text
    reference: str = booked.json()["reference"]
    return reference


async def plan(ivr: httpx.AsyncClient) -> dict[str, Any]:
    response = await ivr.post("/outbound/plan")
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def outcome(ivr: httpx.AsyncClient, attempt_id: int, value: str,
                  reference: str | None = None) -> httpx.Response:
    body: dict[str, Any] = {"outcome": value}
    if reference is not None:
        body["new_booking_reference"] = reference
    return await ivr.post(f"/outbound/attempts/{attempt_id}/outcome", json=body)


async def attempts(admin: httpx.AsyncClient, day: int) -> list[dict[str, Any]]:
    response = await admin.get("/outbound/attempts",
                               params={"office_code": OFFICE, "day": f"2026-12-{day:02d}"})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["attempts"]
    return found


async def test_reminders_go_out_the_working_day_before_the_visit_once(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    tuesday = await book_on(ivr, 8, "+420777000001")
    await book_on(ivr, 9, "+420777000002")  # Wednesday: reminded on Tuesday
    clock.set(at(7, 10))  # Monday

    first = await plan(ivr)
    again = await plan(ivr)

    assert first["no_call_reason"] is None
    assert first["reminders_created"] == 1
    assert [(c["booking_reference"], c["kind"], c["attempt"], c["caller_number"],
             c["language"]) for c in first["calls"]] == [
        (tuesday, "reminder", 1, "+420777000001", "en")]
    assert again["calls"] == [] and again["reminders_created"] == 0
    assert again["in_progress"] == 1
    [recorded] = await attempts(admin, 8)
    assert recorded["booking_reference"] == tuesday and recorded["outcome"] is None
    assert await outcome(ivr, first["calls"][0]["attempt_id"], "kept") is not None
    assert (await plan(ivr))["calls"] == []  # kept: the event is done, no second call
    assert [a["outcome"] for a in await attempts(admin, 8)] == ["kept"]


async def test_friday_reminds_the_visits_of_monday(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    monday = await book_on(ivr, 14, "+420777000003")
    clock.set(at(12, 10))  # Saturday: no reminder day
    assert (await plan(ivr))["calls"] == []
    clock.set(at(11, 10))  # Friday
    assert [c["booking_reference"] for c in (await plan(ivr))["calls"]] == [monday]


@pytest.mark.parametrize(("moment", "reason"), [
    (dt.datetime(2026, 12, 8, 7, 59, tzinfo=PRAGUE), "outside-hours"),
    (dt.datetime(2026, 12, 8, 20, 0, tzinfo=PRAGUE), "outside-hours"),
    (dt.datetime(2026, 12, 24, 10, 0, tzinfo=PRAGUE), "public-holiday"),
    (dt.datetime(2027, 5, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=2))),
     "public-holiday"),
])
async def test_no_call_outside_the_window_or_on_a_holiday(
    moment: dt.datetime, reason: str, ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    await book_on(ivr, 9, "+420777000004")
    clock.set(moment)
    planned = await plan(ivr)
    assert (planned["calls"], planned["no_call_reason"]) == ([], reason)


async def test_unreached_callers_are_retried_twice_then_not_reached(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    reference = await book_on(ivr, 8, "+420777000005")
    clock.set(at(7, 10))
    outcomes = ["busy", "no-answer", "answering-machine"]
    for number, value in enumerate(outcomes, start=1):
        [call] = (await plan(ivr))["calls"]
        assert (call["booking_reference"], call["attempt"]) == (reference, number)
        assert (await outcome(ivr, call["attempt_id"], value)).status_code == 204
        clock.advance(minutes=10)
        assert (await plan(ivr))["calls"] == []  # not before the retry delay (30 min)
        clock.advance(minutes=21)
    assert (await plan(ivr))["calls"] == []  # three attempts: not reached
    assert [(a["attempt"], a["outcome"]) for a in await attempts(admin, 8)] == [
        (1, "busy"), (2, "no-answer"), (3, "answering-machine")]


async def test_an_attempt_lost_by_its_job_counts_as_failed_and_is_retried(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    await book_on(ivr, 8, "+420777000006")
    clock.set(at(7, 10))
    [lost] = (await plan(ivr))["calls"]
    clock.advance(minutes=21)  # call_timeout_minutes = 20; failed now, retry in 30 minutes
    assert (await plan(ivr))["calls"] == []
    clock.advance(minutes=31)
    [retried] = (await plan(ivr))["calls"]
    assert retried["attempt"] == 2
    assert [a["outcome"] for a in await attempts(admin, 8)] == ["failed", None]
    late = await outcome(ivr, lost["attempt_id"], "kept")
    assert (late.status_code, late.json()["error_id"]) == (409, "attempt-finished")


async def test_at_most_the_concurrency_limit_of_calls_at_once(
    postgres_server: str, slots_template: str, clock: ManualClock
) -> None:
    settings = ApiSettings(outbound=OutboundSettings(max_concurrent_calls=2))
    async with prepared_app(postgres_server, clock=clock, template=slots_template,
                            settings=settings) as app, \
            client_for(app, DEV_TOKENS["ivr"]) as ivr:
        for number in range(3):
            await book_on(ivr, 8, f"+42077700010{number}")
        clock.set(at(7, 10))
        first = await plan(ivr)
        assert (len(first["calls"]), first["in_progress"]) == (2, 0)
        assert (await plan(ivr))["calls"] == []
        await outcome(ivr, first["calls"][0]["attempt_id"], "kept")
        third = await plan(ivr)
        assert (len(third["calls"]), third["in_progress"]) == (1, 1)


async def test_an_opted_out_number_is_never_called(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    await book_on(ivr, 8, "+420777000007")
    await book_on(ivr, 8, "+420777000008")
    await book_on(ivr, 9, "+420777000008", "biometrics")
    assert (await ivr.post("/outbound/opt-outs",
                           json={"caller_number": "+420777000007"})).status_code == 204
    clock.set(at(7, 10))
    [call] = (await plan(ivr))["calls"]
    assert call["caller_number"] == "+420777000008"
    assert (await outcome(ivr, call["attempt_id"], "opted-out")).status_code == 204
    clock.set(at(8, 10))  # Tuesday: the Wednesday visit of the number that opted out
    assert (await plan(ivr))["calls"] == []


async def test_a_rebooked_outcome_carries_the_new_reference_and_only_it_does(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    await book_on(ivr, 8, "+420777000009")
    clock.set(at(7, 10))
    [call] = (await plan(ivr))["calls"]
    refused = await outcome(ivr, call["attempt_id"], "kept", "ABCD2345")
    assert refused.status_code == 422
    assert (await outcome(ivr, call["attempt_id"], "rebooked", "ABCD2345")).status_code == 204
    # the same report again (a retried request) is accepted
    assert (await outcome(ivr, call["attempt_id"], "rebooked", "ABCD2345")).status_code == 204
    [recorded] = await attempts(admin, 8)
    assert (recorded["outcome"], recorded["new_booking_reference"]) == ("rebooked", "ABCD2345")


async def test_the_attempts_are_for_the_desk_and_the_plan_for_the_call_engine(
    app: FastAPI, ivr: httpx.AsyncClient, admin: httpx.AsyncClient
) -> None:
    params = {"office_code": OFFICE, "day": "2026-12-08"}
    assert (await ivr.get("/outbound/attempts", params=params)).status_code == 403
    async with client_for(app, DEV_TOKENS["operator"]) as operator:
        assert (await operator.post("/outbound/plan")).status_code == 403
    assert (await admin.get("/outbound/attempts", params=params)).status_code == 200
    async with client_for(app, DEV_TOKENS["desk"]) as desk:
        assert (await desk.get("/outbound/attempts", params=params)).status_code == 200
        assert (await desk.post("/outbound/plan")).status_code == 403
    missing = await ivr.post("/outbound/attempts/999/outcome", json={"outcome": "kept"})
    assert (missing.status_code, missing.json()["error_id"]) == (404, "attempt-not-found")



async def test_a_closure_notice_goes_to_every_caller_whose_booking_it_cancelled(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient, clock: ManualClock
) -> None:
    first = await book_on(ivr, 10, "+420777000011")
    second = await book_on(ivr, 10, "+420777000012", "biometrics")
    closed = await admin.post("/admin/closures",
                              json={"office": OFFICE, "date": "2026-12-10", "reason": "flood"})
    assert closed.status_code in (200, 201), closed.text
    clock.set(at(7, 10))  # Monday: no reminders for Thursday yet, but the notices

    planned = await plan(ivr)

    assert planned["closure_notices_created"] == 2
    assert sorted((c["booking_reference"], c["kind"]) for c in planned["calls"]) == sorted(
        [(first, "closure-notice"), (second, "closure-notice")])
    assert (await plan(ivr))["closure_notices_created"] == 0  # one notice per closure
    # re-booking in the notice: the earliest slot, the cancelled booking's identity
    slot = await first_slot(ivr, OFFICE, "ltr-extension", after=at(10, 0).isoformat())
    held = await hold(ivr, slot["slot_id"], "+420777000011")
    rebooked = await ivr.post(f"/bookings/{first}/reschedule",
                              json={"hold_id": held.json()["hold_id"],
                                    "caller_number": "+420777000011"})
    assert rebooked.status_code == 201, rebooked.text
    assert rebooked.json()["starts_at"] > "2026-12-11"
    mine = await ivr.get(f"/bookings/{rebooked.json()['reference']}",
                         params={"passport_digits": "77000011", "birth_date": "1990-05-17"})
    assert mine.status_code == 200, mine.text  # the same identity, nothing keyed again
