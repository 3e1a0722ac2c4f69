"""The notice mode of the booking flow: an outbound call that tells a caller about a booking.

The job that places outbound calls (``ivr outbound-calls``) originates a call into the
dialplan's ``[ivr-notice]`` with ``IVR_NOTICE="<kind> <reference> <number>"``; the route
``notice`` starts the machine in ``notice-starting`` (:meth:`ivr.flow.machine.Machine.
start_notice`), which reads it, loads the booking (proven by the number called), switches to
the booking's language and says it. A reminder offers 1 keep, 2 cancel, 3 re-book now, 9 do not
call me; a closure notice (the booking is already cancelled) 3 re-book now and 9; 0 is an
operator in every menu. Re-booking goes straight to the earliest slot of the same office and
visit type and books it with the identity of the old booking (the slot service's reschedule:
no passport keyed again; the old booking is cancelled in the same transaction).

The steps here are pure like those of :mod:`ivr.flow.steps`; their specs are in
:mod:`ivr.flow.menus` (``NOTICE_MENUS``, ``NOTICE_WAITING``). ``IVR_RESULT`` ends as ``kept``,
``cancelled``, ``rebooked`` (with ``IVR_NEW_REFERENCE``), ``opted-out``, ``fallout`` or
``hangup``, which the dialplan reports to the job.

Errors: none of their own; a malformed ``IVR_NOTICE`` hands the call to an operator
(``service-error``), as a failed slot service does.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Final

from ivr.flow import variables as v
from ivr.flow.actions import CancelBooking, FindBooking, Hangup, OptOut, Play, Rebook, SetVariables
from ivr.flow.call import Call, State
from ivr.flow.events import (
    Booked,
    BookingLoaded,
    HoldPlaced,
    OptedOut,
    SlotFound,
    VariableRead,
)
from ivr.flow.settings import LANGUAGES
from ivr.flow.spec import Step
from ivr.flow.steps import (
    _goodbye,
    _outcome_variables,
    after_offered_day,
    after_offered_slot,
    fallout,
    search,
)

if TYPE_CHECKING:
    from ivr.flow.machine import Machine

KINDS: Final = ("reminder", "closure-notice")


def parse_notice(value: str | None) -> tuple[str, str, str] | None:
    """``"<kind> <reference> <number>"`` → its parts, or None when it is not one."""
    parts = (value or "").split()
    if len(parts) != 3 or parts[0] not in KINDS or not parts[1].isalnum():
        return None
    number = parts[2]
    if not (number.startswith("+") and number[1:].isdigit()):
        return None
    return parts[0], parts[1], number


def notice_read(machine: Machine, call: Call, event: VariableRead) -> Step:
    parsed = parse_notice(event.value)
    if parsed is None:
        return fallout(machine, call, v.REASON_SERVICE_ERROR)
    kind, reference, number = parsed
    return machine.wait(
        call, State.NOTICE_LOADING, notice_kind=kind, notice_reference=reference,
        caller_number=number,
    )


def find_notice_booking(machine: Machine, call: Call) -> FindBooking:
    assert call.notice_reference is not None
    return FindBooking(reference=call.notice_reference, caller_number=call.caller_number)


def notice_loaded(machine: Machine, call: Call, event: BookingLoaded) -> Step:
    """The booking's language from here on (the caller chose it when booking)."""
    booking = event.booking
    language = booking.language if booking.language in LANGUAGES else None
    language = language or machine.settings.default_language
    known = replace(
        call, language=language, existing=booking, office=booking.office,
        visit_type=booking.visit_type, keys_explained=True,
    )
    state = State.NOTICE_CLOSURE if call.notice_kind == "closure-notice" else State.NOTICE_REMINDER
    entered, actions = machine.enter(known, state)
    spoken = SetVariables(((v.CHANNEL_LANGUAGE, language), (v.IVR_LANGUAGE, language)))
    return entered, (spoken, *actions)


def keep(machine: Machine, call: Call) -> Step:
    return _goodbye(machine, call, v.RESULT_KEPT, "booking-kept")


def cancel_notice_booking(machine: Machine, call: Call) -> CancelBooking:
    assert call.existing is not None
    return CancelBooking(reference=call.existing.reference, caller_number=call.caller_number)


def notice_cancelled(machine: Machine, call: Call, event: object) -> Step:
    return _goodbye(machine, call, v.RESULT_CANCELLED, "booking-cancelled")


def opt_out(machine: Machine, call: Call) -> OptOut:
    return OptOut(caller_number=call.caller_number)


def opted_out(machine: Machine, call: Call, event: OptedOut) -> Step:
    return _goodbye(machine, call, v.RESULT_OPTED_OUT, "opted-out")


# -- re-booking now ---------------------------------------------------------------------------


def rebook_now(machine: Machine, call: Call) -> Step:
    return search(machine, call, after=call.started_at, before=("searching",),
                  state=State.NOTICE_SEARCHING)


def next_slot(machine: Machine, call: Call) -> Step:
    return search(machine, call, after=after_offered_slot(call), before=(),
                  state=State.NOTICE_SEARCHING)


def later_day(machine: Machine, call: Call) -> Step:
    return search(machine, call, after=after_offered_day(machine, call), before=(),
                  state=State.NOTICE_SEARCHING)


def search_on(machine: Machine, call: Call, event: object) -> Step:
    return next_slot(machine, call)


def slot_taken(machine: Machine, call: Call, event: object) -> Step:
    assert call.search_after is not None
    return search(machine, replace(call, hold=None), after=call.search_after,
                  before=("slot-taken",), state=State.NOTICE_SEARCHING)


def slot_found(machine: Machine, call: Call, event: SlotFound) -> Step:
    return machine.wait(call, State.NOTICE_HOLDING, slot=event.slot)


def hold_placed(machine: Machine, call: Call, event: HoldPlaced) -> Step:
    return machine.enter(call, State.NOTICE_SLOT_OFFER, hold=event.hold)


def rebook(machine: Machine, call: Call) -> Rebook:
    assert call.existing is not None and call.hold is not None
    return Rebook(
        reference=call.existing.reference,
        hold_id=call.hold.hold_id,
        caller_number=call.caller_number,
        language=machine.voice.language(call),
        idempotency_key=f"{call.call_id}-{call.hold.hold_id}",
    )


def rebooked(machine: Machine, call: Call, event: Booked) -> Step:
    return machine.enter(call, State.NOTICE_REFERENCE, booking=event.booking, hold=None)


def rebooked_goodbye(machine: Machine, call: Call, event: object = None) -> Step:
    """The end of a re-booking call: the new reference is left for the dialplan's report."""
    assert call.booking is not None
    values = (
        *_outcome_variables(machine, call, v.RESULT_REBOOKED),
        (v.IVR_NEW_REFERENCE, call.booking.reference),
    )
    actions = (
        Play(machine.voice.prompts(call, "goodbye")),
        SetVariables(values),
        Hangup(result=v.RESULT_REBOOKED),
    )
    return replace(call, state=State.GOODBYE, result=v.RESULT_REBOOKED), actions


NOTICE_STEP_PROMPT_IDS: Final = frozenset(
    {"booking-kept", "booking-cancelled", "opted-out", "goodbye", "searching", "slot-taken"}
)
