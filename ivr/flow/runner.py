"""The one place that performs the call flow's actions: over the AGI channel and the slot service.

The machine (:mod:`ivr.flow.machine`) decides; :class:`BookingRunner` plays, asks, sets variables
and has the slot adapter (:class:`ivr.slots.adapter.FlowSlots`) answer the service requests,
then feeds what happened back as an event, until the machine reaches an end. Each action type
has one performer in the table ``PERFORMERS``. How actions become AGI commands:

- ``Play``: ``STREAM FILE L/ivr/<id>`` per prompt, no escape digits.
- ``Ask``: one ``EXEC Read`` of all its prompts (``a&b&c``) through
  ``AgiChannel.read_digits``: any key during any prompt ends the playback and starts the
  answer (an expert keys ahead), and the whole answer, a menu key or a number up to ``#``, is
  collected by that one command, with the first-digit timeout after the last prompt and the
  inter-digit timeout after each key (``TIMEOUT(response)`` / ``TIMEOUT(digit)``, set when
  they change). Keys that reach Asterisk between two AGI commands are dropped by it, so a
  question that took several commands lost a fast typist's digits; one command loses none.
  Keys the menu does not take come back as they are, and the machine refuses them.
- slot-service requests: answered by the adapter as events (its module draws the mapping of
  every client error), each within ``FlowSettings.service_budget_seconds`` (the booking within
  ``booking_budget_seconds``).
- ``ReturnToDialplan``: nothing to send; the transport closes the connection and the dialplan
  goes on. ``Hangup``: ``HANGUP``. ``ReleaseHold``: shielded from cancellation.

The seat the call holds is ``Call.hold`` of the machine's last view of the call; the machine
releases it on every path it decides. When the call ends otherwise (an error, the task being
cancelled at shutdown) the runner releases it in a ``finally``, shielded from cancellation.

Errors: ``AgiHangup`` is handled here (it is the ``CallerHungUp`` event); ``AgiAppError`` on a
prompt (a sound file Asterisk cannot play) is logged and the prompt skipped, so a missing
recording costs a caller one sentence, not the call (``Read`` skips such a file itself; a
``Read`` that fails as a whole counts as silence). Anything else (``FlowError``, other
``AgiError``s, a bug) is counted as the outcome ``error``, sets ``IVR_RESULT=error`` while the
channel is up (so the dialplan takes its failure path; not after ``AgiTimeout``: Asterisk has
stopped answering) and propagates to the transport's per-call boundary.

    AgiHangup        ──> CallerHungUp
    AgiAppError      ──> logged, prompt skipped (Read failing as a whole: NoInput)
    AgiTimeout       ──> outcome "error", propagates
    anything else    ──> outcome "error", IVR_RESULT=error, propagates
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Final

from ivr.agi.channel import AgiChannel, AgiHandler
from ivr.agi.errors import AgiAppError, AgiError, AgiHangup, AgiTimeout
from ivr.agi.metrics import AgiMetrics
from ivr.flow import variables as v
from ivr.flow.actions import (
    Action,
    Ask,
    Hangup,
    Play,
    ReadVariable,
    ReleaseHold,
    ReturnToDialplan,
    SetVariables,
)
from ivr.flow.call import TERMINAL_STATES, Call, FlowError
from ivr.flow.events import CallerHungUp, Event, Keys, NoInput, VariableRead
from ivr.flow.machine import Machine
from ivr.flow.settings import FlowSettings
from ivr.flow.voice import END_KEY
from ivr.slots.adapter import CALLS, FlowSlots, SlotService
from ivr.slots.catalog_cache import CatalogCache
from ivr.slots.client import SlotClient, SlotClientSettings
from ivr.speech import speaker_for

logger = logging.getLogger(__name__)

__all__ = [
    "BookingRunner",
    "SlotService",
    "build_booking_runner",
    "create_booking_handler",
    "create_notice_handler",
]


def utc_now() -> datetime:
    return datetime.now(UTC)


class BookingRunner:
    """Runs the booking flow for one call at a time per ``run`` (it keeps no per-call state)."""

    def __init__(
        self,
        *,
        machine: Machine,
        slots: FlowSlots,
        metrics: AgiMetrics,
        clock: Callable[[], datetime] = utc_now,
        notices: bool = False,
    ) -> None:
        self._machine = machine
        self._slots = slots
        self._metrics = metrics
        self._clock = clock
        # the route `notice` runs outbound notices (ivr.flow.notice), `booking` inbound calls
        self._start = machine.start_notice if notices else machine.start

    async def __call__(self, channel: AgiChannel) -> None:
        await self.run(channel)

    async def run(self, channel: AgiChannel) -> Call:
        """Run one call to its end; return the machine's last view of it."""
        env = channel.env
        call, actions = self._start(
            call_id=env.uniqueid or uuid.uuid4().hex,
            caller_number=env.caller_number or "",
            started_at=self._clock(),
        )
        try:
            while True:
                event = await self._perform_all(channel, actions)
                if event is None:
                    if call.state in TERMINAL_STATES:
                        break
                    raise FlowError(f"no event to go on with in state {call.state}")
                call, actions = self._machine.step(call, event)
        except AgiTimeout:
            self._report(call, result=v.RESULT_ERROR)
            raise
        except Exception:
            self._report(call, result=v.RESULT_ERROR)
            await _mark_failed(channel)
            raise
        finally:
            if call.hold is not None:  # the machine did not get to release it
                await asyncio.shield(self._slots.release(call.hold.hold_id))
        self._report(call, result=call.result or v.RESULT_ERROR)
        return call

    def _report(self, call: Call, *, result: str) -> None:
        self._metrics.record_outcome(
            result=result,
            language=self._machine.voice.language(call),
            fallout_reason=call.fallout_reason if result == v.RESULT_FALLOUT else None,
        )

    async def _perform_all(self, channel: AgiChannel, actions: tuple[Action, ...]) -> Event | None:
        """Perform actions in order; return the event the last one produced, if any."""
        event: Event | None = None
        try:
            for action in actions:
                event = await PERFORMERS[type(action)](self, channel, action)
        except AgiHangup as error:
            logger.info("call %s: caller hung up (%s)", channel.env.uniqueid, error)
            return CallerHungUp()
        return event

    # -- the performers -----------------------------------------------------------------------

    async def _play(self, channel: AgiChannel, play: Play) -> None:
        for prompt in play.prompts:
            await self._stream(channel, prompt.file_name, "")

    async def _set_variables(self, channel: AgiChannel, action: SetVariables) -> None:
        for name, value in action.values:
            await channel.set_variable(name, value)

    async def _read_variable(self, channel: AgiChannel, action: ReadVariable) -> Event:
        return VariableRead(action.name, await channel.get_variable(action.name))

    async def _return_to_dialplan(self, channel: AgiChannel, action: ReturnToDialplan) -> None:
        return None

    async def _hangup(self, channel: AgiChannel, action: Hangup) -> None:
        await channel.hangup()

    async def _release_hold(self, channel: AgiChannel, action: ReleaseHold) -> None:
        await asyncio.shield(self._slots.release(action.hold_id))

    async def _request(self, channel: AgiChannel, request: Any) -> Event:
        return await self._slots.answer(request)

    async def _ask(self, channel: AgiChannel, ask: Ask) -> Event:
        try:
            answer = await channel.read_digits(
                [prompt.file_name for prompt in ask.prompts],
                max_digits=ask.max_digits,
                first_digit_timeout_ms=ask.first_digit_timeout_ms,
                inter_digit_timeout_ms=ask.inter_digit_timeout_ms,
            )
        except AgiAppError as error:
            # Read() itself failed on a live channel: the caller heard nothing, as after silence
            logger.error("Read of %s failed: %s", ask.prompts[-1].file_name, error)
            return NoInput()
        if answer.digits:
            return Keys(answer.digits)
        if answer.timed_out:
            return NoInput()
        return Keys(END_KEY if ask.max_digits == 1 else "")  # # at once

    async def _stream(self, channel: AgiChannel, name: str, escape_digits: str) -> str | None:
        """STREAM FILE; a prompt Asterisk cannot play is logged and skipped, not fatal."""
        try:
            return await channel.stream_file(name, escape_digits)
        except AgiAppError as error:
            logger.error("prompt %s could not be played: %s", name, error)
            return None


async def _mark_failed(channel: AgiChannel) -> None:
    """Set IVR_RESULT=error so the dialplan takes its failure path, if the caller is there."""
    if channel.hung_up:
        return
    try:
        await channel.set_variable(v.IVR_RESULT, v.RESULT_ERROR)
    except AgiError as error:
        logger.warning("could not set IVR_RESULT=error: %s", error)


Performer = Callable[[BookingRunner, AgiChannel, Any], Awaitable[Event | None]]

PERFORMERS: Final[Mapping[type, Performer]] = {
    Play: BookingRunner._play,
    Ask: BookingRunner._ask,
    SetVariables: BookingRunner._set_variables,
    ReadVariable: BookingRunner._read_variable,
    ReturnToDialplan: BookingRunner._return_to_dialplan,
    Hangup: BookingRunner._hangup,
    ReleaseHold: BookingRunner._release_hold,
    **{request: BookingRunner._request for request in CALLS},
}


def build_booking_runner(
    *,
    flow: FlowSettings,
    slots: SlotService,
    metrics: AgiMetrics,
    clock: Callable[[], datetime] = utc_now,
    catalog_clock: Callable[[], float] = time.monotonic,
    notices: bool = False,
) -> BookingRunner:
    """The booking flow with the real speech module, ready to serve as an AGI handler; the
    offices and visit types ``slots`` answers are shared by the calls for
    ``flow.catalog_max_age_seconds`` (:mod:`ivr.slots.catalog_cache`)."""
    machine = Machine(settings=flow, speakers=speaker_for)
    cached = CatalogCache(slots, max_age_seconds=flow.catalog_max_age_seconds, clock=catalog_clock)
    adapter = FlowSlots(
        slots=cached,
        budget_seconds=flow.service_budget_seconds,
        booking_budget_seconds=flow.booking_budget_seconds,
    )
    return BookingRunner(
        machine=machine, slots=adapter, metrics=metrics, clock=clock, notices=notices
    )


def create_booking_handler(
    *, metrics: AgiMetrics, flow: FlowSettings, slots: SlotClientSettings
) -> AgiHandler:
    """The booking route's handler with the settings passed in; the slot client lives as long
    as the process. The entry points read the settings (``ivr.serve.create_booking_handler``,
    the factory that ``ivr-agi-classic`` and ``IVR_AGI_ROUTES`` name): the flow reads none."""
    return build_booking_runner(flow=flow, slots=SlotClient.from_settings(slots), metrics=metrics)


def create_notice_handler(
    *, metrics: AgiMetrics, flow: FlowSettings, slots: SlotClientSettings
) -> AgiHandler:
    """The route ``notice``: the flow in its notice mode for outbound calls (issue 15)."""
    return build_booking_runner(
        flow=flow, slots=SlotClient.from_settings(slots), metrics=metrics, notices=True
    )
