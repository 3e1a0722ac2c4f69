"""The slot adapter: every request's answer and every client error as the flow's event."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from ivr.flow.actions import (
    Book,
    CancelBooking,
    FetchOffices,
    FetchVisitTypes,
    FindBooking,
    FindBookings,
    FindSlot,
    HoldSlot,
    OptOut,
    Rebook,
    ServiceRequest,
)
from ivr.flow.events import (
    Booked,
    BookingLoaded,
    BookingRefused,
    BookingsFound,
    Cancelled,
    HoldPlaced,
    HoldRefused,
    IdentityLimitReached,
    NoSlotLeft,
    OfficesLoaded,
    OptedOut,
    ServiceFailed,
    SlotFound,
    VisitTypesLoaded,
)
from ivr.slots.adapter import CALLS, FlowSlots
from ivr.slots.errors import (
    BookingNotFound,
    HoldExpired,
    HoldLimit,
    HoldNotFound,
    IdentityLimit,
    SlotFull,
    SlotNotFound,
    SlotRefused,
    SlotServiceBadResponse,
    SlotServiceError,
    SlotServiceUnavailable,
    TooLate,
)
from tests.ivr.flow.support import BOOKING, HOLD, OFFICES, SLOT, VISIT_TYPES

AFTER = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
REQUESTS: dict[str, ServiceRequest] = {
    "bookings_for_caller": FindBookings(caller_number="+420777123456"),
    "offices": FetchOffices(),
    "visit_types": FetchVisitTypes(office="benesov"),
    "availability": FindSlot(office="benesov", visit_type="ltr-new", after=AFTER),
    "hold": HoldSlot(slot_id=41, caller_number="+420777123456", language="en"),
    "book": Book(
        hold_id="h-1",
        caller_number="+420777123456",
        language="en",
        passport_digits="123456789",
        birth_date=date(1990, 1, 5),
        idempotency_key="c1-h-1",
    ),
    "cancel": CancelBooking(reference="47021382", caller_number="+420777123456"),
    "booking": FindBooking(reference="47021382", caller_number="+420777123456"),
    "reschedule": Rebook(reference="47021382", hold_id="h-1", caller_number="+420777123456",
                         language="en", idempotency_key="n1-h-1"),
    "opt_out": OptOut(caller_number="+420777123456"),
}


def refused(kind: type[SlotRefused]) -> SlotRefused:
    return kind(error_id="x", message="refused", status_code=409)


@dataclass(frozen=True)
class Late:
    seconds: float
    value: Any = None


class FakeSlots:
    """Answers every call with ``answers[name]``: a value, an exception to raise, or ``Late``."""

    def __init__(self, **answers: Any) -> None:
        self.answers = answers
        self.released: list[object] = []

    async def _answer(self, name: str) -> Any:
        answer = self.answers[name]
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, Late):
            await asyncio.sleep(answer.seconds)
            return answer.value
        return answer

    async def bookings_for_caller(self, caller_number: str) -> Any:
        return await self._answer("bookings_for_caller")

    async def offices(self) -> Any:
        return await self._answer("offices")

    async def visit_types(self, office: str) -> Any:
        return await self._answer("visit_types")

    async def availability(self, **_: Any) -> Any:
        return await self._answer("availability")

    async def hold(self, **_: Any) -> Any:
        return await self._answer("hold")

    async def book(self, **_: Any) -> Any:
        return await self._answer("book")

    async def cancel(self, reference: str, **_: Any) -> Any:
        return await self._answer("cancel")

    async def booking(self, reference: str, **_: Any) -> Any:
        return await self._answer("booking")

    async def reschedule(self, reference: str, **_: Any) -> Any:
        return await self._answer("reschedule")

    async def opt_out(self, caller_number: str) -> Any:
        return await self._answer("opt_out")

    async def release(self, hold_id: object) -> None:
        self.released.append(hold_id)
        await self._answer("release")


def adapter(**answers: Any) -> FlowSlots:
    return FlowSlots(
        slots=FakeSlots(**answers),  # type: ignore[arg-type]
        budget_seconds=0.05,
        booking_budget_seconds=0.2,
    )


def test_every_request_of_the_flow_has_one_client_call() -> None:
    assert {type(request) for request in REQUESTS.values()} == set(CALLS)


@pytest.mark.parametrize(
    ("name", "reply", "event"),
    [
        ("bookings_for_caller", [BOOKING], BookingsFound((BOOKING,))),
        ("offices", list(OFFICES), OfficesLoaded(OFFICES)),
        ("visit_types", list(VISIT_TYPES), VisitTypesLoaded(VISIT_TYPES)),
        ("availability", [SLOT], SlotFound(SLOT)),
        ("availability", [], NoSlotLeft()),
        ("hold", HOLD, HoldPlaced(HOLD)),
        ("book", BOOKING, Booked(BOOKING)),
        ("cancel", BOOKING, Cancelled(BOOKING)),
        ("booking", BOOKING, BookingLoaded(BOOKING)),
        ("reschedule", BOOKING, Booked(BOOKING)),
        ("opt_out", None, OptedOut()),
    ],
)
async def test_answers(name: str, reply: Any, event: object) -> None:
    assert await adapter(**{name: reply}).answer(REQUESTS[name]) == event


@pytest.mark.parametrize(
    ("name", "error", "event"),
    [
        ("bookings_for_caller", refused(BookingNotFound), BookingsFound(())),
        ("hold", refused(SlotFull), HoldRefused()),
        ("hold", refused(SlotNotFound), HoldRefused()),
        ("hold", refused(HoldLimit), IdentityLimitReached()),
        ("hold", refused(IdentityLimit), IdentityLimitReached()),
        ("book", refused(HoldExpired), BookingRefused()),
        ("book", refused(HoldNotFound), BookingRefused()),
        ("book", refused(SlotFull), BookingRefused()),
        ("book", refused(IdentityLimit), IdentityLimitReached()),
        ("book", refused(HoldLimit), IdentityLimitReached()),
        ("reschedule", refused(HoldExpired), BookingRefused()),
        ("reschedule", refused(IdentityLimit), IdentityLimitReached()),
    ],
)
async def test_refusals_the_flow_understands(name: str, error: Exception, event: object) -> None:
    assert await adapter(**{name: error}).answer(REQUESTS[name]) == event


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("offices", SlotServiceUnavailable("down")),
        ("availability", SlotServiceBadResponse("not JSON")),
        ("availability", refused(IdentityLimit)),  # a refusal where none is expected
        ("cancel", refused(TooLate)),
        ("hold", refused(HoldExpired)),
        ("book", SlotServiceUnavailable("5xx after three attempts")),
        ("booking", refused(BookingNotFound)),  # a notice's booking must be there
        ("opt_out", SlotServiceUnavailable("down")),
    ],
)
async def test_everything_else_is_a_service_failure(name: str, error: SlotServiceError) -> None:
    event = await adapter(**{name: error}).answer(REQUESTS[name])
    assert isinstance(event, ServiceFailed) and str(error) in event.detail


async def test_each_request_has_its_budget_and_the_booking_a_longer_one() -> None:
    slow = adapter(offices=Late(0.1, list(OFFICES)), book=Late(0.1, BOOKING))
    assert await slow.answer(REQUESTS["offices"]) == ServiceFailed("no answer within 0.05 s")
    assert await slow.answer(REQUESTS["book"]) == Booked(BOOKING)  # 0.1 s is within 0.2 s
    slow = adapter(reschedule=Late(0.1, BOOKING))
    assert await slow.answer(REQUESTS["reschedule"]) == Booked(BOOKING)


async def test_a_release_never_fails_the_call(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ivr.slots.adapter")
    await adapter(release=refused(HoldExpired)).release("h-1")
    await adapter(release=SlotServiceUnavailable("down")).release("h-2")
    await adapter(release=Late(1.0)).release("h-3")
    levels = [(record.levelname, "h-" in record.getMessage()) for record in caplog.records]
    assert levels == [("INFO", True), ("WARNING", True), ("WARNING", True)]
