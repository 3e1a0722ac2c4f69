"""The call flow's requests to the slot service, answered as the flow's events.

The flow (:mod:`ivr.flow.actions`) asks for bookings, offices, visit types, a slot, a hold, a
booking or a cancellation; :class:`FlowSlots` makes the one client call each needs, within a
time budget, and answers with the event the flow's table takes (:mod:`ivr.flow.events`). Every
failure of the client becomes an event here, in one table, so a call never ends in silence or
in a crash because of the service:

    request      client raises / answers                   event
    any          no answer within the budget               ServiceFailed
    any          SlotServiceUnavailable, BadResponse, …    ServiceFailed
    FindBookings BookingNotFound                           BookingsFound(())
    HoldSlot     SlotFull, SlotNotFound                    HoldRefused
    HoldSlot     HoldLimit, IdentityLimit                  IdentityLimitReached
    Book         HoldExpired, HoldNotFound, SlotFull, …    BookingRefused
    Book         HoldLimit, IdentityLimit                  IdentityLimitReached
    FindSlot     no slot                                   NoSlotLeft
    FindBooking  the notice's booking                      BookingLoaded (else ServiceFailed)
    Rebook       as Book                                   Booked / BookingRefused / …
    OptOut       done                                      OptedOut

The booking gets its own, longer budget: the client retries it with the same Idempotency-Key.
A release needs no answer: a hold already gone is logged at info, a failure at warning (the
hold then expires on its own).

Errors: none leave :meth:`FlowSlots.answer` or :meth:`FlowSlots.release` but programming
errors (``KeyError`` for a request type this table does not know).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime
from typing import Any, Final, Protocol

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
    Event,
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
from ivr.slots.errors import (
    BookingNotFound,
    HoldExpired,
    HoldLimit,
    HoldNotFound,
    IdentityLimit,
    SlotFull,
    SlotNotFound,
    SlotRefused,
    SlotServiceError,
)
from ivr.slots.models import Booking, Hold, Office, ResourceId, Slot, VisitType

logger = logging.getLogger(__name__)


class SlotService(Protocol):
    """What the flow needs of the slot client (:class:`ivr.slots.SlotClient` has it)."""

    async def bookings_for_caller(self, caller_number: str) -> list[Booking]: ...

    async def offices(self) -> list[Office]: ...

    async def visit_types(self, office: str) -> list[VisitType]: ...

    async def availability(
        self, *, office: str, visit_type: str, after: datetime, limit: int = 1
    ) -> list[Slot]: ...

    async def hold(self, *, slot_id: ResourceId, caller_number: str, language: str) -> Hold: ...

    async def release(self, hold_id: ResourceId) -> None: ...

    async def book(
        self,
        *,
        hold_id: ResourceId,
        caller_number: str,
        language: str,
        passport_digits: str,
        birth_date: date,
        idempotency_key: str | None = None,
    ) -> Booking: ...

    async def cancel(
        self,
        reference: str,
        *,
        caller_number: str | None = None,
        passport_digits: str | None = None,
        birth_date: date | None = None,
    ) -> Booking: ...

    async def booking(self, reference: str, *, caller_number: str | None = None) -> Booking: ...

    async def reschedule(
        self,
        reference: str,
        *,
        hold_id: ResourceId,
        caller_number: str,
        language: str,
        idempotency_key: str | None = None,
    ) -> Booking: ...

    async def opt_out(self, caller_number: str) -> None: ...


# -- one client call per request ------------------------------------------------------------------


async def _find_bookings(slots: SlotService, request: FindBookings) -> Event:
    try:
        found = await slots.bookings_for_caller(request.caller_number)
    except BookingNotFound:
        found = []
    return BookingsFound(tuple(found))


async def _fetch_offices(slots: SlotService, request: FetchOffices) -> Event:
    return OfficesLoaded(tuple(await slots.offices()))


async def _fetch_visit_types(slots: SlotService, request: FetchVisitTypes) -> Event:
    return VisitTypesLoaded(tuple(await slots.visit_types(request.office)))


async def _find_slot(slots: SlotService, request: FindSlot) -> Event:
    found = await slots.availability(
        office=request.office, visit_type=request.visit_type, after=request.after, limit=1
    )
    return SlotFound(found[0]) if found else NoSlotLeft()


async def _hold_slot(slots: SlotService, request: HoldSlot) -> Event:
    hold = await slots.hold(
        slot_id=request.slot_id, caller_number=request.caller_number, language=request.language
    )
    return HoldPlaced(hold)


async def _book(slots: SlotService, request: Book) -> Event:
    booking = await slots.book(
        hold_id=request.hold_id,
        caller_number=request.caller_number,
        language=request.language,
        passport_digits=request.passport_digits,
        birth_date=request.birth_date,
        idempotency_key=request.idempotency_key,
    )
    return Booked(booking)


async def _cancel(slots: SlotService, request: CancelBooking) -> Event:
    return Cancelled(await slots.cancel(request.reference, caller_number=request.caller_number))


async def _find_booking(slots: SlotService, request: FindBooking) -> Event:
    return BookingLoaded(await slots.booking(request.reference,
                                             caller_number=request.caller_number))


async def _rebook(slots: SlotService, request: Rebook) -> Event:
    booking = await slots.reschedule(
        request.reference,
        hold_id=request.hold_id,
        caller_number=request.caller_number,
        language=request.language,
        idempotency_key=request.idempotency_key,
    )
    return Booked(booking)


async def _opt_out(slots: SlotService, request: OptOut) -> Event:
    await slots.opt_out(request.caller_number)
    return OptedOut()


CALLS: Final[Mapping[type, Callable[[SlotService, Any], Awaitable[Event]]]] = {
    FindBookings: _find_bookings,
    FetchOffices: _fetch_offices,
    FetchVisitTypes: _fetch_visit_types,
    FindSlot: _find_slot,
    HoldSlot: _hold_slot,
    Book: _book,
    CancelBooking: _cancel,
    FindBooking: _find_booking,
    Rebook: _rebook,
    OptOut: _opt_out,
}

# -- the refusals the flow understands, per request (any other error: ServiceFailed) --------------

_OVER_LIMIT: Final = {HoldLimit: IdentityLimitReached, IdentityLimit: IdentityLimitReached}
_BOOKING_REFUSED: Final[Mapping[type[SlotRefused], Callable[[], Event]]] = {
    HoldExpired: BookingRefused,
    HoldNotFound: BookingRefused,
    SlotFull: BookingRefused,
    SlotNotFound: BookingRefused,
    **_OVER_LIMIT,
}
REFUSALS: Final[Mapping[type, Mapping[type[SlotRefused], Callable[[], Event]]]] = {
    HoldSlot: {SlotFull: HoldRefused, SlotNotFound: HoldRefused, **_OVER_LIMIT},
    Book: _BOOKING_REFUSED,
    Rebook: _BOOKING_REFUSED,
}


class FlowSlots:
    """Answers the flow's service requests through the slot client, each within its budget."""

    def __init__(
        self, *, slots: SlotService, budget_seconds: float, booking_budget_seconds: float
    ) -> None:
        self._slots = slots
        self._budget_seconds = budget_seconds
        self._booking_budget_seconds = booking_budget_seconds

    async def answer(self, request: ServiceRequest) -> Event:
        name = type(request).__name__
        call = CALLS[type(request)]
        booking = isinstance(request, Book | Rebook)
        budget = self._booking_budget_seconds if booking else self._budget_seconds
        try:
            async with asyncio.timeout(budget):
                return await call(self._slots, request)
        except TimeoutError:
            logger.warning("slot service: %s took longer than %s s", name, budget)
            return ServiceFailed(f"no answer within {budget} s")
        except SlotServiceError as error:
            refusals = REFUSALS.get(type(request), {})
            understood = next(
                (event for kind, event in refusals.items() if isinstance(error, kind)), None
            )
            if understood is not None:
                logger.info("slot service refused %s: %s", name, error)
                return understood()
            logger.warning("slot service failed on %s: %s", name, error)
            return ServiceFailed(str(error))

    async def release(self, hold_id: ResourceId) -> None:
        """Give a held seat back; a failure is logged (the hold then expires on its own)."""
        try:
            async with asyncio.timeout(self._budget_seconds):
                await self._slots.release(hold_id)
        except (HoldNotFound, HoldExpired) as gone:
            logger.info("hold %s was already gone: %s", hold_id, gone)
        except (SlotServiceError, TimeoutError) as error:
            logger.warning("could not release hold %s (it will expire): %r", hold_id, error)
