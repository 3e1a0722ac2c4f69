from __future__ import annotations

import datetime as dt

import httpx

from tests.api.support import BIRTH, CALLER, PASSPORT, first_slot, hold, hold_and_book


async def test_operator_books_for_a_caller_on_the_operator_channel(
    operator: httpx.AsyncClient, ivr: httpx.AsyncClient
) -> None:
    slot = await first_slot(operator)
    body = {
        "slot_id": slot["slot_id"],
        "caller_number": CALLER,
        "language": "uk",
        "passport_digits": PASSPORT,
        "birth_date": BIRTH,
    }
    first = await operator.post(
        "/operator/bookings", json=body, headers={"Idempotency-Key": "op-1"}
    )
    assert first.status_code == 201, first.text
    assert first.json()["channel"] == "operator"
    again = await operator.post(
        "/operator/bookings", json=body, headers={"Idempotency-Key": "op-1"}
    )
    assert again.json() == first.json()
    mine = await ivr.get("/bookings", params={"caller_number": CALLER})
    assert [b["reference"] for b in mine.json()] == [first.json()["reference"]]


async def test_day_list_and_attendance(operator: httpx.AsyncClient, ivr: httpx.AsyncClient) -> None:
    booking = await hold_and_book(ivr)
    day = dt.datetime.fromisoformat(booking["starts_at"]).date().isoformat()
    listed = await operator.get("/operator/offices/praha-zukovskeho/bookings", params={"day": day})
    assert [b["reference"] for b in listed.json()] == [booking["reference"]]
    marked = await operator.post(
        f"/operator/bookings/{booking['reference']}/attendance", json={"status": "attended"}
    )
    assert marked.json()["status"] == "attended"
    twice = await operator.post(
        f"/operator/bookings/{booking['reference']}/attendance", json={"status": "no-show"}
    )
    assert twice.status_code == 409
    assert twice.json()["error_id"] == "booking-not-active"
    bad = await operator.post(
        f"/operator/bookings/{booking['reference']}/attendance", json={"status": "late"}
    )
    assert bad.json()["error_id"] == "validation-error"


async def test_closure_previews_then_cancels_the_day_and_reopens(
    admin: httpx.AsyncClient, ivr: httpx.AsyncClient
) -> None:
    booking = await hold_and_book(ivr)
    day = dt.datetime.fromisoformat(booking["starts_at"]).date()
    period = {"office": "praha-zukovskeho", "date": day.isoformat()}
    preview = await admin.post("/admin/closures/preview", json=period)
    assert preview.status_code == 200, preview.text
    assert [b["reference"] for b in preview.json()["bookings_to_cancel"]] == [
        booking["reference"]
    ]
    assert preview.json()["slots_to_close"] > 0
    still = await ivr.get("/bookings", params={"caller_number": CALLER})
    assert [b["status"] for b in still.json()] == ["confirmed"]  # a preview changes nothing
    closed = await admin.post("/admin/closures", json={**period, "reason": "flood"})
    assert closed.status_code == 201, closed.text
    assert closed.json()["created_by"] == "admin"
    assert closed.json()["start"] is None
    assert [b["reference"] for b in closed.json()["bookings_cancelled"]] == [booking["reference"]]
    assert closed.json()["bookings_cancelled"][0]["status"] == "cancelled"
    assert closed.json()["slots_closed"] == preview.json()["slots_to_close"]
    assert (await ivr.get("/bookings", params={"caller_number": CALLER})).json() == []
    next_free = await first_slot(ivr)
    assert dt.datetime.fromisoformat(next_free["starts_at"]).date() > day
    on_closed_day = await hold(ivr, booking["slot_id"], caller="+420600000077")
    assert on_closed_day.status_code == 409
    assert on_closed_day.json()["error_id"] == "office-closed"
    closure_id = closed.json()["closure_id"]
    listed = await admin.get(f"/admin/closures/{closure_id}/bookings")
    assert [b["reference"] for b in listed.json()] == [booking["reference"]]
    duplicate = await admin.post(
        "/admin/closures", json={**period, "start": "10:00", "end": "11:00", "reason": "again"}
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["error_id"] == "closure-exists"
    reopened = await admin.delete(f"/admin/closures/{closure_id}")
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["reopened_at"] is not None
    again_free = await first_slot(ivr)
    assert dt.datetime.fromisoformat(again_free["starts_at"]).date() == day
    # the cancelled booking stays cancelled and still names its closure
    listed = await admin.get(f"/admin/closures/{closure_id}/bookings")
    assert [b["status"] for b in listed.json()] == ["cancelled"]
    twice = await admin.delete(f"/admin/closures/{closure_id}")
    assert twice.json()["error_id"] == "closure-not-found"


async def test_capacity_templates_shape_new_slots(
    admin: httpx.AsyncClient, ivr: httpx.AsyncClient
) -> None:
    created = await admin.post(
        "/admin/capacity-templates",
        json={
            "office": "kutna-hora",
            "visit_type": "biometrics",
            "weekday": 0,
            "start": "12:00",
            "end": "13:00",
            "seats": {"phone": 3, "operator": 0, "counter": 0},
        },
    )
    assert created.status_code == 201, created.text
    # Mondays 7 and 14 December, 12:00-13:00 in 15-minute slots
    assert (await admin.post("/admin/materialise", params={"days": 14})).json() == {
        "created_slots": 8
    }
    noon = await first_slot(
        ivr, office="kutna-hora", visit_type="biometrics", after="2026-12-14T11:59:00+01:00"
    )
    assert noon["starts_at"] == "2026-12-14T12:00:00+01:00"
    assert noon["free_seats"] == 3
    listed = await admin.get(
        "/admin/capacity-templates", params={"office": "kutna-hora", "visit_type": "biometrics"}
    )
    assert created.json() in listed.json()
    off_grid = await admin.post(
        "/admin/capacity-templates",
        json={
            "office": "kutna-hora",
            "visit_type": "biometrics",
            "weekday": 1,
            "start": "09:03",
            "end": "10:00",
            "seats": {"phone": 1, "operator": 0, "counter": 0},
        },
    )
    assert off_grid.json()["error_id"] == "validation-error"
    deleted = await admin.delete(f"/admin/capacity-templates/{created.json()['template_id']}")
    assert deleted.status_code == 204
    again = await admin.delete(f"/admin/capacity-templates/{created.json()['template_id']}")
    assert again.json()["error_id"] == "capacity-template-not-found"
    assert (await admin.post("/admin/materialise", params={"days": 14})).json() == {
        "created_slots": 0
    }
