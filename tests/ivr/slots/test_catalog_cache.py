"""The catalog cache (:mod:`ivr.slots.catalog_cache`): offices and visit types shared by calls
for at most their max age, on a fake clock; nothing older, no failure cached."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime

import pytest
from pydantic import ValidationError

from ivr.flow.actions import FetchOffices, FetchVisitTypes
from ivr.flow.call import State
from ivr.flow.events import Keys, OfficesLoaded
from ivr.flow.settings import FlowSettings
from ivr.slots import OfficeNotFound, SlotServiceUnavailable
from ivr.slots.adapter import FlowSlots
from ivr.slots.catalog_cache import CatalogCache
from ivr.slots.models import Booking, Office, Slot, VisitType
from tests.ivr.flow.support import OFFICES, VISIT_TYPES, drive, events_to, machine, prompt_ids_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Directory:
    """The part of a slot service the cache's tests ask for: offices an administrator can
    deactivate, and every request counted."""

    def __init__(self) -> None:
        self.offices_now = [replace_active(office, True) for office in OFFICES]
        self.asked: Counter[str] = Counter()
        self.failing = False
        self.delay_s = 0.0

    def deactivate(self, code: str) -> None:
        self.offices_now = [
            replace_active(office, False) if office.code == code else office
            for office in self.offices_now
        ]

    async def offices(self) -> list[Office]:
        self.asked["offices"] += 1
        await asyncio.sleep(self.delay_s)
        if self.failing:
            raise SlotServiceUnavailable("GET /offices: HTTP 503")
        return list(self.offices_now)

    async def visit_types(self, office: str) -> list[VisitType]:
        self.asked[f"visit-types {office}"] += 1
        if office == "nowhere":
            raise OfficeNotFound(error_id="office-not-found", message="x", status_code=404)
        return list(VISIT_TYPES)

    async def bookings_for_caller(self, caller_number: str) -> list[Booking]:
        self.asked["bookings"] += 1
        return []

    async def availability(
        self, *, office: str, visit_type: str, after: datetime, limit: int = 1
    ) -> list[Slot]:
        self.asked["availability"] += 1
        return []


def replace_active(office: Office, active: bool) -> Office:
    return office.model_copy(update={"active": active})


def cached(directory: Directory, clock: Clock, max_age_seconds: float = 30.0) -> CatalogCache:
    return CatalogCache(directory, max_age_seconds=max_age_seconds, clock=clock)


async def test_offices_and_visit_types_are_asked_once_per_max_age() -> None:
    directory, clock = Directory(), Clock()
    cache = cached(directory, clock)
    for _ in range(5):
        assert [o.code for o in await cache.offices()] == [o.code for o in OFFICES]
        assert await cache.visit_types("kladno") == list(VISIT_TYPES)
    await cache.visit_types("beroun")
    assert directory.asked == {"offices": 1, "visit-types kladno": 1, "visit-types beroun": 1}
    clock.now += 29.9
    await cache.offices()
    assert directory.asked["offices"] == 1
    clock.now += 0.1
    await cache.offices()
    await cache.visit_types("kladno")
    assert directory.asked["offices"] == 2
    assert directory.asked["visit-types kladno"] == 2


async def test_other_requests_are_never_cached() -> None:
    directory, clock = Directory(), Clock()
    cache = cached(directory, clock)
    for _ in range(3):
        await cache.bookings_for_caller("+420777123456")
        await cache.availability(
            office="kladno", visit_type="ltr-new", after=datetime.now().astimezone()
        )
    assert directory.asked == {"bookings": 3, "availability": 3}


async def menu_after_loading(slots: FlowSlots) -> list[str]:
    """The prompt ids of the Středočeský region's office menu for a call loading the offices
    now: the offices a caller hears."""
    flow = machine()
    call, _ = drive(flow, events_to(State.LOADING_OFFICES))
    event = await slots.answer(FetchOffices())
    assert isinstance(event, OfficesLoaded)
    call, _ = flow.step(call, event)
    _, actions = flow.step(call, Keys("2"))  # Středočeský kraj
    return [prompt for prompt in prompt_ids_of(actions) if prompt.startswith("office-")]


async def test_an_office_an_administrator_deactivates_leaves_the_menu_within_60_s() -> None:
    directory, clock = Directory(), Clock()
    flow = FlowSettings()
    slots = FlowSlots(
        slots=cached(directory, clock, flow.catalog_max_age_seconds),
        budget_seconds=2.0,
        booking_budget_seconds=6.0,
    )
    assert "office-kladno" in await menu_after_loading(slots)
    directory.deactivate("kladno")
    deactivated_at = clock.now
    while "office-kladno" in await menu_after_loading(slots):
        clock.now += 1.0
        assert clock.now - deactivated_at <= 60, "still in the menu a minute later"
    assert clock.now - deactivated_at <= flow.catalog_max_age_seconds
    assert await menu_after_loading(slots) == ["office-menu", "office-benesov", "office-beroun"]


def test_the_max_age_cannot_be_set_above_60_s() -> None:
    assert FlowSettings(catalog_max_age_seconds=60).catalog_max_age_seconds == 60
    with pytest.raises(ValidationError):
        FlowSettings(catalog_max_age_seconds=61)
    with pytest.raises(ValueError):
        CatalogCache(Directory(), max_age_seconds=61)


async def test_the_age_counts_from_the_request_not_the_reply() -> None:
    directory, clock = Directory(), Clock()
    cache = cached(directory, clock)
    directory.delay_s = 0.05
    asking = asyncio.create_task(cache.offices())
    await asyncio.sleep(0.01)
    clock.now += 10  # the service takes "10 s" to answer
    await asking
    clock.now += 20  # 30 s after the request, 20 s after the reply
    await cache.offices()
    assert directory.asked["offices"] == 2


async def test_a_failure_is_not_cached_and_an_expired_answer_is_not_served_instead() -> None:
    directory, clock = Directory(), Clock()
    cache = cached(directory, clock)
    await cache.offices()
    clock.now += 30
    directory.failing = True
    with pytest.raises(SlotServiceUnavailable):
        await cache.offices()
    with pytest.raises(SlotServiceUnavailable):
        await cache.offices()
    assert directory.asked["offices"] == 3, "every call asked again"
    directory.failing = False
    await cache.offices()
    await cache.offices()
    assert directory.asked["offices"] == 4
    with pytest.raises(OfficeNotFound):
        await cache.visit_types("nowhere")
    with pytest.raises(OfficeNotFound):
        await cache.visit_types("nowhere")
    assert directory.asked["visit-types nowhere"] == 2


async def test_calls_asking_at_once_share_one_request_and_a_caller_giving_up_stops_nobody() -> None:
    directory, clock = Directory(), Clock()
    cache = cached(directory, clock)
    directory.delay_s = 0.05
    impatient = asyncio.create_task(cache.offices())
    others = [asyncio.create_task(cache.offices()) for _ in range(9)]
    await asyncio.sleep(0.01)
    impatient.cancel()
    answers = await asyncio.gather(*others)
    assert all(len(answer) == len(OFFICES) for answer in answers)
    assert impatient.cancelled()
    assert directory.asked["offices"] == 1


async def test_the_flow_adapter_answers_visit_types_from_the_cache() -> None:
    directory, clock = Directory(), Clock()
    slots = FlowSlots(
        slots=cached(directory, clock), budget_seconds=2.0, booking_budget_seconds=6.0
    )
    for _ in range(3):
        await slots.answer(FetchVisitTypes(office="beroun"))
    assert directory.asked == {"visit-types beroun": 1}
