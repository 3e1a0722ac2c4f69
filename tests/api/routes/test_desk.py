"""The desk's routes: the day's bookings by time with masked callers and the day's figures,
search by reference, check-in (arrived, no-show, undo) with its refusals, the admins' capacity
change refused below what is booked and accepted, and the no-show rates."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from api.clock import ManualClock
from tests.api.support import CALLER, first_slot, hold, hold_and_book

OFFICE = "praha-zukovskeho"


async def test_day_sheet_lists_bookings_by_time_masked_with_the_figures(
    ivr: httpx.AsyncClient, desk: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    late = await hold_and_book(ivr, after="2026-12-07T11:00:00+01:00",
                               caller=CALLER, passport="11111111")
    early = await hold_and_book(ivr, after="2026-12-07T09:30:00+01:00", caller="+420600111222",
                                passport="22222222", visit_type="ltr-new")
    sheet = await desk.get(f"/desk/offices/{OFFICE}/day", params={"day": "2026-12-07"})
    assert sheet.status_code == 200, sheet.text
    body = sheet.json()
    assert [b["reference"] for b in body["bookings"]] == [early["reference"], late["reference"]]
    first = body["bookings"][0]
    assert first["visit_type"] == "ltr-new" and first["language"] == "en"
    assert first["channel"] == "phone" and first["status"] == "confirmed"
    assert first["caller"] == "+*********222"
    assert len(first["identity"]) == 8
    assert "420600111222" not in sheet.text and CALLER not in sheet.text
    assert body["figures"]["phone"] == {
        "booked": 2, "expected": 2, "arrived": 0, "no_show": 0, "cancelled": 0
    }
    assert body["totals"]["booked"] == 2 and body["figures"]["counter"]["booked"] == 0
    assert body["closures"] == []
    refused = await operator.get(f"/desk/offices/{OFFICE}/day", params={"day": "2026-12-07"})
    assert refused.json()["error_id"] == "forbidden"
    nowhere = await desk.get("/desk/offices/atlantis/day", params={"day": "2026-12-07"})
    assert nowhere.json()["error_id"] == "office-not-found"


async def test_check_in_arrived_no_show_undo_and_refusals(
    ivr: httpx.AsyncClient, desk: httpx.AsyncClient, clock: ManualClock
) -> None:
    booking = await hold_and_book(ivr)
    assert booking["starts_at"].startswith("2026-12-07T")  # today, at 09:00 or later
    path = f"/desk/bookings/{booking['reference']}/check-in"
    early = await desk.post(path, json={"status": "no-show"})
    assert early.status_code == 409
    assert early.json()["error_id"] == "too-late"  # not yet: the visit has not started
    arrived = await desk.post(path, json={"status": "attended"})
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["status"] == "attended"
    assert arrived.json()["attendance_at"] == "2026-12-07T07:00:00+01:00"
    undone = await desk.post(path, json={"status": "confirmed"})
    assert (undone.json()["status"], undone.json()["attendance_at"]) == ("confirmed", None)
    clock.set(dt.datetime.fromisoformat(booking["starts_at"]) + dt.timedelta(minutes=20))
    missed = await desk.post(path, json={"status": "no-show"})
    assert missed.json()["status"] == "no-show"
    found = await desk.get(f"/desk/bookings/{booking['reference']}")
    assert found.json()["status"] == "no-show"
    assert found.json()["caller"] == "+*********456"
    sheet = await desk.get(f"/desk/offices/{OFFICE}/day", params={"day": "2026-12-07"})
    assert sheet.json()["figures"]["phone"]["no_show"] == 1

    tomorrow = await hold_and_book(ivr, after="2026-12-08T08:00:00+01:00", caller="+420600000333",
                                   passport="33333333")
    ahead = await desk.post(f"/desk/bookings/{tomorrow['reference']}/check-in",
                            json={"status": "attended"})
    assert ahead.json()["error_id"] == "too-late"
    cancelled = await ivr.post(f"/bookings/{tomorrow['reference']}/cancel",
                               json={"caller_number": "+420600000333"})
    assert cancelled.status_code == 200, cancelled.text
    clock.set(dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC))
    gone = await desk.post(f"/desk/bookings/{tomorrow['reference']}/check-in",
                           json={"status": "attended"})
    assert gone.json()["error_id"] == "booking-not-active"
    assert (await desk.get("/desk/bookings/12345678")).json()["error_id"] in {
        "invalid-reference", "booking-not-found"
    }
    bad = await desk.post(path, json={"status": "late"})
    assert bad.json()["error_id"] == "validation-error"


async def test_capacity_change_below_booked_is_refused_then_accepted(
    ivr: httpx.AsyncClient, admin: httpx.AsyncClient, desk: httpx.AsyncClient
) -> None:
    templates = (await admin.get("/admin/capacity-templates",
                                 params={"office": OFFICE, "visit_type": "ltr-extension"})).json()
    tuesday = next(t for t in templates if t["weekday"] == 1 and t["start"] == "08:00")
    assert tuesday["seats"] == {"phone": 2, "operator": 1, "counter": 1}
    booked = await hold_and_book(ivr, after="2026-12-08T07:59:00+01:00",
                                 caller=CALLER, passport="44444444")
    path = f"/admin/capacity-templates/{tuesday['template_id']}"
    refused = await admin.put(path, json={"seats": {"phone": 0, "operator": 0, "counter": 0}})
    assert refused.status_code == 409, refused.text
    error = refused.json()
    assert error["error_id"] == "capacity-below-booked"
    assert [s["slot_id"] for s in error["details"]["slots"]] == [booked["slot_id"]]
    assert error["details"]["slots"][0]["taken"] == 1
    unchanged = await first_slot(ivr, after="2026-12-08T07:59:00+01:00")
    assert unchanged["free_seats"] == 3  # 4 seats, 1 booked: nothing changed

    accepted = await admin.put(path, json={"seats": {"phone": 1, "operator": 0, "counter": 0}})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["template"]["seats"] == {"phone": 1, "operator": 0, "counter": 0}
    assert accepted.json()["slots_changed"] > 0
    full = await hold(ivr, booked["slot_id"], caller="+420600000555")
    assert full.json()["error_id"] == "slot-full"  # 1 seat, 1 booked
    other = await first_slot(ivr, after="2026-12-08T08:59:00+01:00")
    assert other["starts_at"].startswith("2026-12-08T09:") and other["free_seats"] == 1
    # a slot not of this template (Monday) keeps its seats
    monday = await first_slot(ivr, after="2026-12-07T10:59:00+01:00")
    assert monday["free_seats"] == 4
    forbidden = await desk.put(path, json={"seats": {"phone": 9, "operator": 0, "counter": 0}})
    assert forbidden.json()["error_id"] == "forbidden"
    missing = await admin.put("/admin/capacity-templates/999999",
                              json={"seats": {"phone": 1, "operator": 0, "counter": 0}})
    assert missing.json()["error_id"] == "capacity-template-not-found"


async def test_no_show_rates_per_number_and_identity_for_admins_only(
    ivr: httpx.AsyncClient, desk: httpx.AsyncClient, admin: httpx.AsyncClient,
    clock: ManualClock,
) -> None:
    caller = "+420600777888"
    missed = await hold_and_book(ivr, after="2026-12-07T09:00:00+01:00",
                                 caller=caller, passport="55555555")
    came = await hold_and_book(ivr, after="2026-12-07T09:00:00+01:00",
                               caller=caller, passport="66666666", visit_type="ltr-new")
    clock.set(dt.datetime(2026, 12, 7, 15, 0, tzinfo=dt.UTC))
    for booking, status in ((missed, "no-show"), (came, "attended")):
        marked = await desk.post(f"/desk/bookings/{booking['reference']}/check-in",
                                 json={"status": status})
        assert marked.status_code == 200, marked.text
    rates = await admin.get("/admin/no-show-rates")
    assert rates.status_code == 200, rates.text
    body = rates.json()
    assert (body["since"], body["until"]) == ("2026-10-08", "2026-12-07")
    assert body["by_caller_number"] == [
        {"key": caller, "visits": 2, "no_shows": 1, "rate": 0.5}
    ]
    assert len(body["by_identity"]) == 1  # the identity that came is not listed
    assert body["by_identity"][0]["visits"] == 1 and body["by_identity"][0]["rate"] == 1.0
    assert (await desk.get("/admin/no-show-rates")).json()["error_id"] == "forbidden"
    short = await admin.get("/admin/no-show-rates", params={"days": 1})
    assert short.json()["by_caller_number"][0]["no_shows"] == 1


async def test_two_check_ins_at_once_change_the_booking_once(
    ivr: httpx.AsyncClient, desk: httpx.AsyncClient, operator: httpx.AsyncClient,
    clock: ManualClock,
) -> None:
    booking = await hold_and_book(ivr)
    path = f"/desk/bookings/{booking['reference']}/check-in"
    answers = await asyncio.gather(
        desk.post(path, json={"status": "attended"}), desk.post(path, json={"status": "attended"})
    )
    # the second either found it arrived already (nothing to do) or lost the race to change it
    codes = sorted(answer.status_code for answer in answers)
    assert codes in ([200, 200], [200, 409]), codes
    clock.advance(minutes=5)
    again = await desk.post(path, json={"status": "attended"})
    assert again.json()["attendance_at"] == "2026-12-07T07:00:00+01:00"  # the first click's
    other = await hold_and_book(ivr, caller="+420600000999", passport="99999999")
    marked = await operator.post(f"/operator/bookings/{other['reference']}/attendance",
                                 json={"status": "attended"})
    assert marked.status_code == 200, marked.text
    seen = await desk.get(f"/desk/bookings/{other['reference']}")
    assert seen.json()["attendance_at"] == "2026-12-07T07:05:00+01:00"
