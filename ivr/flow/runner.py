"""The one place that performs the call flow's actions: over the AGI channel and the slot service.

The machine (:mod:`ivr.flow.machine`) decides; :class:`BookingRunner` plays, asks, sets variables
and calls the slot service, then feeds what happened back as an event, until the machine reaches
an end. How actions become AGI commands:

- ``Play``: ``STREAM FILE L/ivr/<id>`` per prompt, no escape digits.
- ``Ask``: ``STREAM FILE`` for every prompt but the last with the keys valid now as escape
  digits (an expert keys ahead; the key ends the playback and is the answer), ``GET DATA`` for
  the last one. A multi-digit entry takes its first key with ``GET DATA`` (the first-digit
  timeout) and the rest with ``WAIT FOR DIGIT`` (the inter-digit timeout), because Asterisk's
  ``GET DATA`` applies one timeout to both; ``#`` ends the entry.
- slot-service requests: each within ``FlowSettings.service_budget_seconds`` (the booking
  within ``booking_budget_seconds``, room for the client's idempotent retries); slow, down or
  off-contract becomes ``ServiceFailed`` (apology, operator), refusals the flow understands
  become their events, so a call never ends in silence or in a crash because of the service.
- ``ReturnToDialplan``: nothing to send; the transport closes the connection and the dialplan
  goes on. ``Hangup``: ``HANGUP``.

A held seat is released whatever ends the call: a hangup at any step, an error, or the task
being cancelled (shutdown); the release runs in a ``finally``, shielded from cancellation.

Errors: ``AgiHangup`` is handled here (it is the ``CallerHungUp`` event); ``AgiAppError`` on a
prompt (a sound file Asterisk cannot play) is logged and the prompt skipped, so a missing
recording costs a caller one sentence, not the call. Everything else
(``FlowError``, other ``AgiError``s) propagates to the transport's per-call boundary, which
logs it; the outcome ``error`` is counted and ``IVR_RESULT=error`` set (caller still there, no
timeout) here first.

    SlotServiceError ──> ServiceFailed / HoldRefused / BookingRefused / IdentityLimitReached
    AgiHangup        ──> CallerHungUp
    AgiAppError      ──> logged, prompt skipped (GET DATA: the key is awaited without it)
    anything else    ──> propagates (outcome "error")
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Protocol

from ivr.agi.channel import AgiChannel, AgiHandler, DigitsResult
from ivr.agi.errors import AgiAppError, AgiError, AgiHangup, AgiTimeout
from ivr.agi.metrics import AgiMetrics
from ivr.flow import variables as v
from ivr.flow.actions import (
    Action,
    Ask,
    Book,
    CancelBooking,
    FetchOffices,
    FetchVisitTypes,
    FindBookings,
    FindSlot,
    Hangup,
    HoldSlot,
    Play,
    ReadVariable,
    ReleaseHold,
    ReturnToDialplan,
    ServiceRequest,
    SetVariables,
)
from ivr.flow.call import TERMINAL_STATES, Call, FlowError
from ivr.flow.events import (
    Booked,
    BookingRefused,
    BookingsFound,
    CallerHungUp,
    Cancelled,
    Event,
    HoldPlaced,
    HoldRefused,
    IdentityLimitReached,
    Keys,
    NoInput,
    NoSlotLeft,
    OfficesLoaded,
    ServiceFailed,
    SlotFound,
    VariableRead,
    VisitTypesLoaded,
)
from ivr.flow.machine import Machine
from ivr.flow.settings import FlowSettings
from ivr.slots.client import SlotClient, SlotClientSettings
from ivr.slots.errors import (
    BookingNotFound,
    HoldExpired,
    HoldLimit,
    HoldNotFound,
    IdentityLimit,
    SlotFull,
    SlotNotFound,
    SlotServiceError,
)
from ivr.slots.models import Booking, Hold, Office, ResourceId, Slot, VisitType
from ivr.speech import speaker_for

logger = logging.getLogger(__name__)

TERMINATOR = "#"


class SlotService(Protocol):
    """What the runner needs of the slot client (:class:`ivr.slots.SlotClient` has it)."""

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


def utc_now() -> datetime:
    return datetime.now(UTC)


class BookingRunner:
    """Runs the booking flow for one call at a time per ``run`` (it keeps no per-call state)."""

    def __init__(
        self,
        *,
        machine: Machine,
        slots: SlotService,
        metrics: AgiMetrics,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._machine = machine
        self._slots = slots
        self._metrics = metrics
        self._clock = clock
        self._budget = machine.settings.service_budget_seconds

    async def __call__(self, channel: AgiChannel) -> None:
        await self.run(channel)

    async def run(self, channel: AgiChannel) -> Call:
        """Run one call to its end; return the machine's last view of it."""
        env = channel.env
        call, actions = self._machine.start(
            call_id=env.uniqueid or uuid.uuid4().hex,
            caller_number=env.caller_number or "",
            started_at=self._clock(),
        )
        held = _HeldSeat()
        try:
            while True:
                event = await self._perform_all(channel, actions, held)
                if event is None:
                    if call.state in TERMINAL_STATES:
                        break
                    raise FlowError(f"no event to go on with in state {call.state}")
                call, actions = self._machine.step(call, event)
        except Exception as error:
            self._report(call, result=v.RESULT_ERROR)
            if not isinstance(error, AgiTimeout):  # after a timeout the connection is gone
                await _mark_call_failed(channel)
            raise
        finally:
            if held.hold_id is not None:
                await asyncio.shield(self._release(held.hold_id, held))
        self._report(call, result=call.result or v.RESULT_ERROR)
        return call

    def _report(self, call: Call, *, result: str) -> None:
        self._metrics.record_outcome(
            result=result,
            language=self._machine.voice.language(call),
            fallout_reason=call.fallout_reason if result == v.RESULT_FALLOUT else None,
        )

    async def _perform_all(
        self, channel: AgiChannel, actions: tuple[Action, ...], held: _HeldSeat
    ) -> Event | None:
        """Perform actions in order; return the event the last one produced, if any."""
        event: Event | None = None
        try:
            for action in actions:
                event = await self._perform(channel, action, held)
        except AgiHangup as error:
            logger.info("call %s: caller hung up (%s)", channel.env.uniqueid, error)
            return CallerHungUp()
        return event

    async def _perform(self, channel: AgiChannel, action: Action, held: _HeldSeat) -> Event | None:
        if isinstance(action, Play):
            for prompt in action.prompts:
                await self._stream(channel, prompt.file_name, "")
            return None
        if isinstance(action, Ask):
            return await self._ask(channel, action)
        if isinstance(action, SetVariables):
            for name, value in action.values:
                await channel.set_variable(name, value)
            return None
        if isinstance(action, ReadVariable):
            return VariableRead(action.name, await channel.get_variable(action.name))
        if isinstance(action, ReturnToDialplan):
            return None
        if isinstance(action, Hangup):
            await channel.hangup()
            return None
        if isinstance(action, ReleaseHold):
            await self._release(action.hold_id, held)
            return None
        return await self._request(action, held)

    # -- the caller ---------------------------------------------------------------------------

    async def _ask(self, channel: AgiChannel, ask: Ask) -> Event:
        *leading, last = ask.prompts
        for prompt in leading:
            key = await self._stream(channel, prompt.file_name, ask.keys)
            if key is not None:
                return Keys(key)
        try:
            first = await channel.get_data(
                last.file_name, timeout_ms=ask.first_digit_timeout_ms, max_digits=1
            )
        except AgiAppError as error:
            # GET DATA of a missing file collects nothing: wait for the key without it
            logger.error("prompt %s failed, asking without it: %s", last.file_name, error)
            key = await channel.wait_for_digit(ask.first_digit_timeout_ms)
            first = DigitsResult(digits=key or "", timed_out=key is None)
            if key == TERMINATOR:
                first = DigitsResult(digits="", timed_out=False)
        if not first.digits:
            return NoInput() if first.timed_out else Keys("")
        digits = first.digits
        while len(digits) < ask.max_digits and digits != "*":
            key = await channel.wait_for_digit(ask.inter_digit_timeout_ms)
            if key is None or key == TERMINATOR:
                break
            digits += key
        return Keys(digits)

    async def _stream(self, channel: AgiChannel, name: str, escape_digits: str) -> str | None:
        """STREAM FILE; a prompt Asterisk cannot play is logged and skipped, not fatal."""
        try:
            return await channel.stream_file(name, escape_digits)
        except AgiAppError as error:
            logger.error("prompt %s could not be played: %s", name, error)
            return None

    # -- the slot service ---------------------------------------------------------------------

    async def _request(self, request: ServiceRequest, held: _HeldSeat) -> Event:
        settings = self._machine.settings
        budget = (
            settings.booking_budget_seconds
            if isinstance(request, Book)
            else settings.service_budget_seconds
        )
        try:
            async with asyncio.timeout(budget):
                return await self._call_service(request, held)
        except TimeoutError:
            logger.warning("slot service: %s took longer than %s s", type(request).__name__, budget)
            return ServiceFailed(f"no answer within {budget} s")
        except (HoldLimit, IdentityLimit) as refusal:
            logger.info("slot service refused %s: %s", type(request).__name__, refusal)
            return IdentityLimitReached()
        except (SlotFull, SlotNotFound, HoldExpired, HoldNotFound) as refusal:
            logger.info("slot service refused %s: %s", type(request).__name__, refusal)
            if isinstance(request, HoldSlot):
                return HoldRefused()
            if isinstance(request, Book):
                held.hold_id = None
                return BookingRefused()
            logger.warning("unexpected refusal of %s: %s", type(request).__name__, refusal)
            return ServiceFailed(str(refusal))
        except SlotServiceError as error:
            logger.warning("slot service failed on %s: %s", type(request).__name__, error)
            return ServiceFailed(str(error))

    async def _call_service(self, request: ServiceRequest, held: _HeldSeat) -> Event:
        slots = self._slots
        if isinstance(request, FindBookings):
            try:
                found = await slots.bookings_for_caller(request.caller_number)
            except BookingNotFound:
                found = []
            return BookingsFound(tuple(found))
        if isinstance(request, FetchOffices):
            return OfficesLoaded(tuple(await slots.offices()))
        if isinstance(request, FetchVisitTypes):
            return VisitTypesLoaded(tuple(await slots.visit_types(request.office)))
        if isinstance(request, FindSlot):
            found_slots = await slots.availability(
                office=request.office, visit_type=request.visit_type, after=request.after, limit=1
            )
            return SlotFound(found_slots[0]) if found_slots else NoSlotLeft()
        if isinstance(request, HoldSlot):
            hold = await slots.hold(
                slot_id=request.slot_id,
                caller_number=request.caller_number,
                language=request.language,
            )
            held.hold_id = hold.hold_id
            return HoldPlaced(hold)
        if isinstance(request, Book):
            booking = await slots.book(
                hold_id=request.hold_id,
                caller_number=request.caller_number,
                language=request.language,
                passport_digits=request.passport_digits,
                birth_date=request.birth_date,
                idempotency_key=request.idempotency_key,
            )
            held.hold_id = None
            return Booked(booking)
        if isinstance(request, CancelBooking):
            cancelled = await slots.cancel(request.reference, caller_number=request.caller_number)
            return Cancelled(cancelled)
        raise FlowError(f"unknown service request {type(request).__name__}")

    async def _release(self, hold_id: ResourceId, held: _HeldSeat) -> None:
        """Give a held seat back; a failure is logged (the hold then expires on its own)."""
        if held.hold_id == hold_id:
            held.hold_id = None
        try:
            async with asyncio.timeout(self._budget):
                await self._slots.release(hold_id)
        except (HoldNotFound, HoldExpired) as gone:
            logger.info("hold %s was already gone: %s", hold_id, gone)
        except (SlotServiceError, TimeoutError) as error:
            logger.warning("could not release hold %s (it will expire): %r", hold_id, error)


async def _mark_call_failed(channel: AgiChannel) -> None:
    """IVR_RESULT=error, so that the dialplan takes its failure path, if the caller is there."""
    if channel.hung_up:
        return
    try:
        await channel.set_variable(v.IVR_RESULT, v.RESULT_ERROR)
    except AgiError as error:
        logger.warning("could not set IVR_RESULT=error: %s", error)


class _HeldSeat:
    """The seat this call holds right now, as far as the slot service has told the runner."""

    def __init__(self) -> None:
        self.hold_id: ResourceId | None = None


def create_booking_handler(*, metrics: AgiMetrics) -> AgiHandler:
    """The route factory named in ``AgiSettings.routes`` (``ivr.agi.routing``).

    Used where the transport builds the routes itself (the classic AGI entry point, the
    FastAGI server started without ``ivr serve``): the flow and slot-client settings come from
    the environment (``IVR_FLOW_*``, ``IVR_SLOTS_*``); the slot client lives as long as the
    process.
    """
    slots = SlotClient.from_settings(SlotClientSettings())
    return build_booking_runner(flow=FlowSettings(), slots=slots, metrics=metrics)


def build_booking_runner(
    *,
    flow: FlowSettings,
    slots: SlotService,
    metrics: AgiMetrics,
    clock: Callable[[], datetime] = utc_now,
) -> BookingRunner:
    """The booking flow with the real speech module, ready to serve as an AGI handler."""
    machine = Machine(settings=flow, speakers=speaker_for)
    return BookingRunner(machine=machine, slots=slots, metrics=metrics, clock=clock)
