from __future__ import annotations

import datetime as dt

import httpx

from api.clock import ManualClock
from tests.api.conftest import START
from tests.api.support import CALLER, first_slot, hold

LATER = "2026-12-17T07:00:00+01:00"  # outside the 48 h borrow window


async def test_availability_is_soonest_first_on_the_grid_after_minimum_notice(
    ivr: httpx.AsyncClient,
) -> None:
    response = await ivr.get(
        "/availability",
        params={"office": "praha-zukovskeho", "visit_type": "ltr-new", "limit": 10},
    )
    slots = response.json()["slots"]
    assert len(slots) == 10
    starts = [dt.datetime.fromisoformat(slot["starts_at"]) for slot in slots]
    assert starts == sorted(starts)
    assert all(start.utcoffset() == dt.timedelta(hours=1) for start in starts)
    assert all(start.minute % 5 == 0 for start in starts)
    assert starts[0] >= START + dt.timedelta(hours=2)
    first = slots[0]
    assert dt.datetime.fromisoformat(first["ends_at"]) - starts[0] == dt.timedelta(minutes=30)
    assert first["free_seats"] == 4  # inside the 48 h borrow window: every channel's seats
    later = await first_slot(ivr, visit_type="ltr-new", after=LATER)
    assert later["free_seats"] == 2  # outside it: the phone quota of a Prague slot
    assert {slot["office"] for slot in slots} == {"praha-zukovskeho"}


async def test_availability_after_is_strict(ivr: httpx.AsyncClient) -> None:
    first = await first_slot(ivr)
    second = await first_slot(ivr, after=first["starts_at"])
    assert dt.datetime.fromisoformat(second["starts_at"]) > dt.datetime.fromisoformat(
        first["starts_at"]
    )


async def test_unknown_office_and_visit_type(ivr: httpx.AsyncClient) -> None:
    office = await ivr.get("/availability", params={"office": "brno", "visit_type": "ltr-new"})
    assert office.status_code == 404
    assert office.json()["error_id"] == "office-not-found"
    not_offered = await ivr.get(
        "/availability", params={"office": "kutna-hora", "visit_type": "ltr-new"}
    )
    assert not_offered.json()["error_id"] == "visit-type-not-found"


async def test_holds_take_the_phone_quota_then_slot_full(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr, after=LATER)
    assert (await hold(ivr, slot["slot_id"], caller="+420600000001")).status_code == 201
    assert (await hold(ivr, slot["slot_id"], caller="+420600000002")).status_code == 201
    full = await hold(ivr, slot["slot_id"], caller="+420600000003")
    assert full.status_code == 409
    assert full.json()["error_id"] == "slot-full"
    assert (await first_slot(ivr, after=LATER))["slot_id"] != slot["slot_id"]


async def test_operator_seats_are_separate_from_the_phone_quota(
    ivr: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    slot = await first_slot(ivr, after=LATER)
    for number in ("+420600000001", "+420600000002"):
        assert (await hold(ivr, slot["slot_id"], caller=number)).status_code == 201
    assert (await hold(ivr, slot["slot_id"], caller="+420600000003")).status_code == 409
    by_operator = await hold(operator, slot["slot_id"], caller="+420600000004")
    assert by_operator.status_code == 201
    assert by_operator.json()["channel"] == "operator"
    assert (await hold(operator, slot["slot_id"], caller="+420600000005")).status_code == 409


async def test_inside_the_borrow_window_the_phone_uses_other_seats(
    ivr: httpx.AsyncClient,
) -> None:
    slot = await first_slot(ivr)  # tomorrow morning: inside the 48 h window
    for index in range(4):  # 2 phone + 1 operator + 1 counter seats
        response = await hold(ivr, slot["slot_id"], caller=f"+42060000001{index}")
        assert response.status_code == 201, response.text
    assert (await hold(ivr, slot["slot_id"], caller="+420600000020")).json()[
        "error_id"
    ] == "slot-full"


async def test_expired_holds_never_count_without_a_sweeper(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    slot = await first_slot(ivr, after=LATER)
    for number in ("+420600000001", "+420600000002"):
        assert (await hold(ivr, slot["slot_id"], caller=number)).status_code == 201
    assert (await first_slot(ivr, after=LATER))["slot_id"] != slot["slot_id"]
    clock.advance(seconds=120)
    again = await first_slot(ivr, after=LATER)
    assert again["slot_id"] == slot["slot_id"]
    assert again["free_seats"] == 2
    assert (await hold(ivr, slot["slot_id"], caller="+420600000003")).status_code == 201


async def test_released_hold_frees_the_seat(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    assert (await first_slot(ivr))["free_seats"] == slot["free_seats"] - 1
    assert (await ivr.delete(f"/holds/{hold_id}")).status_code == 204
    assert (await first_slot(ivr))["free_seats"] == slot["free_seats"]
    missing = await ivr.delete("/holds/nope")
    assert missing.status_code == 404
    assert missing.json()["error_id"] == "hold-not-found"


async def test_hold_expiry_is_the_phone_ttl(ivr: httpx.AsyncClient, clock: ManualClock) -> None:
    slot = await first_slot(ivr)
    body = (await hold(ivr, slot["slot_id"])).json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert expires - clock.now() == dt.timedelta(seconds=120)


async def test_holds_per_caller_per_hour_are_limited(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    slots = (
        await ivr.get(
            "/availability",
            params={"office": "praha-cigankova", "visit_type": "biometrics", "limit": 31},
        )
    ).json()["slots"]
    for slot in slots[:30]:
        assert (await hold(ivr, slot["slot_id"])).status_code == 201
    refused = await hold(ivr, slots[30]["slot_id"])
    assert refused.status_code == 429
    assert refused.json()["error_id"] == "hold-limit"
    clock.advance(hours=1, seconds=1)
    assert (await hold(ivr, slots[30]["slot_id"])).status_code == 201


async def test_hold_on_unknown_or_too_soon_slot(ivr: httpx.AsyncClient, clock: ManualClock) -> None:
    missing = await hold(ivr, 10_000_000)
    assert missing.status_code == 404
    assert missing.json()["error_id"] == "slot-not-found"
    slot = await first_slot(ivr)
    clock.set(dt.datetime.fromisoformat(slot["starts_at"]) - dt.timedelta(hours=1))
    late = await hold(ivr, slot["slot_id"], caller=CALLER)
    assert late.status_code == 409
    assert late.json()["error_id"] == "too-late"
