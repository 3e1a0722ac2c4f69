"""Issue 5's end-to-end calls through the real booking flow: SIPp presses RFC 4733 keys into the
sandbox's Asterisk, which runs `AGI(agi://…/booking)` against `ivr serve` (or the classic
`ivr-agi-classic` inside the chroot), which books through the slot service on PostgreSQL.

Keys follow docs/architecture.md, "The call flow, key by key". Each key is pressed when AMI
shows the flow waiting for this caller's input (see tests/e2e/sipp.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.ami import AmiWatcher, Event, channel_variables
from tests.e2e.conftest import IVR_TOKEN, SlotService
from tests.e2e.sipp import Caller, SipEndpoint, sipp_call

pytestmark = pytest.mark.asterisk

ENGLISH, CZECH = "2", "1"
PRAGUE = "1"
ZUKOVSKEHO, CIGANKOVA, KOLBENOVA = "1", "2", "3"
FIRST_VISIT_TYPE = "1"
CONFIRM, ACCEPT = "1", "1"


def joined_queue(number: str) -> Callable[[Event], bool]:
    return lambda e: e.get("Event") == "QueueCallerJoin" and e.get("CallerIDNum") == number


def result_set(number: str, value: str) -> Callable[[Event], bool]:
    return lambda e: (e.get("Event") == "VarSet" and e.get("CallerIDNum") == number
                      and e.get("Variable") == "IVR_RESULT" and e.get("Value") == value)


def identity_keys(passport: str, birth_ddmmyyyy: str) -> str:
    return f"{passport}#{birth_ddmmyyyy}{CONFIRM}"


async def slot_api(slot_service: SlotService) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=slot_service.url, timeout=10,
                             headers={"Authorization": f"Bearer {IVR_TOKEN}"})


async def first_visit_type(api: httpx.AsyncClient, office: str) -> str:
    response = await api.get(f"/offices/{office}/visit-types")
    response.raise_for_status()
    code: str = response.json()[0]["code"]
    return code


async def earliest_slots(api: httpx.AsyncClient, *, office: str, visit_type: str,
                         after: datetime, limit: int = 5) -> list[dict[str, Any]]:
    response = await api.get("/availability", params={
        "office": office, "visit_type": visit_type, "after": after.isoformat(), "limit": limit})
    response.raise_for_status()
    slots: list[dict[str, Any]] = response.json()["slots"]
    return slots


async def free_seats(api: httpx.AsyncClient, *, slot: dict[str, Any], after: datetime) -> int:
    for candidate in await earliest_slots(api, office=slot["office"],
                                          visit_type=slot["visit_type"], after=after, limit=20):
        if candidate["slot_id"] == slot["slot_id"]:
            seats: int = candidate["free_seats"]
            return seats
    return 0


async def active_bookings(api: httpx.AsyncClient, number: str) -> list[dict[str, Any]]:
    response = await api.get("/bookings", params={"caller_number": number})
    response.raise_for_status()
    bookings: list[dict[str, Any]] = response.json()
    return bookings


async def book_by_phone(*, number: str, name: str, office_key: str, office: str,
                        passport: str, birth_date: str, dialled: str,
                        slot_service: SlotService, ami: AmiWatcher,
                        sip_target: SipEndpoint, workdir: Path) -> None:
    """An English caller books the earliest slot of the office's first visit type.

    Each booking test uses a passport of its own: one identity may hold one active booking
    per visit type (the slot service's policy), whatever the office."""
    async with await slot_api(slot_service) as api:
        visit_type = await first_visit_type(api, office)
        before_call = datetime.now(UTC)
        earliest = (await earliest_slots(api, office=office, visit_type=visit_type,
                                         after=before_call))[0]
        keys = (ENGLISH + PRAGUE + office_key + FIRST_VISIT_TYPE
                + identity_keys(passport, birth_date) + ACCEPT)
        caller = Caller(number=number, name=name, keys=keys, dialled=dialled)
        async with sipp_call(caller, target=sip_target, workdir=workdir) as call:
            await call.press_when_asked(ami)
        # SIPp ended cleanly: Asterisk hung up on the caller after goodbye
        bookings = await active_bookings(api, number)
    assert any(result_set(number, "booked")(e) for e in ami.events)
    assert len(bookings) == 1
    booking = bookings[0]
    assert booking["slot_id"] == earliest["slot_id"]
    assert (booking["office"], booking["visit_type"]) == (office, visit_type)
    assert (booking["caller_number"], booking["language"]) == (number, "en")
    assert booking["channel"] == "phone"


async def test_english_caller_books_the_earliest_slot(
    booking_engine: int, slot_service: SlotService, ami: AmiWatcher,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    await book_by_phone(number="+420777100001", name="english-booking",
                        office_key=ZUKOVSKEHO, office="praha-zukovskeho",
                        passport="12345678", birth_date="15031990", dialled="974820680",
                        slot_service=slot_service, ami=ami, sip_target=sip_target,
                        workdir=tmp_path)


async def test_classic_agi_entry_point_books_too(
    classic_agi: None, slot_service: SlotService, ami: AmiWatcher,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    await book_by_phone(number="+420777100006", name="classic-booking",
                        office_key=KOLBENOVA, office="praha-kolbenova",
                        passport="55512345", birth_date="29021984", dialled="classic",
                        slot_service=slot_service, ami=ami, sip_target=sip_target,
                        workdir=tmp_path)
    starts = [e for e in ami.events if e.get("Event") == "AGIExecStart"
              and e.get("CallerIDNum") == "+420777100006"]
    assert starts and all(e.get("Exten") == "s" for e in starts)
    assert any(e.get("Event") == "Newexten" and e.get("CallerIDNum") == "+420777100006"
               and e.get("Application") == "AGI"
               and str(e.get("AppData", "")).endswith("ivr-agi-classic,booking")
               for e in ami.events)


async def test_czech_caller_presses_zero_and_waits_for_a_czech_operator(
    booking_engine: int, operators_open: None, ami: AmiWatcher,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = "+420777100002"
    caller = Caller(number=number, name="czech-operator", keys=CZECH + "0", hang_up_on_cue=True)
    async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
        await call.press_when_asked(ami)
        joined = await ami.wait_for(joined_queue(number), timeout_s=30, what="QueueCallerJoin")
        await asyncio.sleep(1)  # waiting, with music on hold
        await call.cue()  # the caller gives up
    assert joined["Queue"] == "operators-cs"
    variables = channel_variables(joined)
    assert variables["IVR_LANGUAGE"] == "cs"
    assert variables["IVR_FALLOUT_REASON"] == "operator-request"
    assert joined["Language"] == "cs"


async def test_three_invalid_keys_reach_an_operator_with_reason_invalid_input(
    booking_engine: int, operators_open: None, ami: AmiWatcher,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = "+420777100004"
    caller = Caller(number=number, name="invalid-keys", keys=ENGLISH + "999",
                    hang_up_on_cue=True)
    async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
        await call.press_when_asked(ami)
        joined = await ami.wait_for(joined_queue(number), timeout_s=60, what="QueueCallerJoin")
        await call.cue()
    assert joined["Queue"] == "operators-en"
    variables = channel_variables(joined)
    assert variables["IVR_FALLOUT_REASON"] == "invalid-input"
    assert variables["IVR_LANGUAGE"] == "en"
    region_menus = [e for e in ami.events if e.get("Event") == "AGIExecStart"
                    and e.get("CallerIDNum") == number
                    and "en/ivr/region-menu" in str(e.get("Command", ""))]
    assert len(region_menus) == 3  # asked, and asked again after each of two invalid keys


async def test_hanging_up_during_the_slot_offer_releases_the_hold(
    booking_engine: int, slot_service: SlotService, ami: AmiWatcher,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = "+420777100003"
    office = "praha-cigankova"
    async with await slot_api(slot_service) as api:
        visit_type = await first_visit_type(api, office)
        before_call = datetime.now(UTC)
        earliest = (await earliest_slots(api, office=office, visit_type=visit_type,
                                         after=before_call))[0]
        seats_before = earliest["free_seats"]
        keys = ENGLISH + PRAGUE + CIGANKOVA + FIRST_VISIT_TYPE + identity_keys(
            "87654321", "01011985")
        caller = Caller(number=number, name="hangup-on-offer", keys=keys, hang_up_on_cue=True)
        async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
            await call.press_when_asked(ami)
            await call.wait_for_agi(ami, ("STREAM FILE", "GET DATA", "EXEC Read"), timeout_s=30,
                                    containing="en/ivr/slot-offer")
            seats_offered = await free_seats(api, slot=earliest, after=before_call)
            await call.cue()  # hang up while the slot is offered
        async with asyncio.timeout(10):
            while (seats_after := await free_seats(api, slot=earliest, after=before_call)) \
                    != seats_before:
                await asyncio.sleep(0.2)
        bookings = await active_bookings(api, number)
    assert seats_offered == seats_before - 1  # the offered seat was held for the caller
    assert seats_after == seats_before  # and given back when the caller hung up
    assert bookings == []
    assert not any(result_set(number, "booked")(e) for e in ami.events)
