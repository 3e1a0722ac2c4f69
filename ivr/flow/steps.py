"""The steps of the call flow that need code: the decisions the specs of :mod:`ivr.flow.menus`
name, the answers of the slot service, and the ways a call ends. Pure: each takes the machine
(for its settings, its voice and the ``enter`` / ``wait`` of a state) and the call, and returns
the next call and its actions; none performs anything.

Falling out always releases a held seat first and sets the ``IVR_*`` variables before returning
to the dialplan; a goodbye sets them before hanging up.

Errors: none of their own; an answer the flow cannot use is a ``FlowError`` of the machine.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Final

from ivr.flow import variables as v
from ivr.flow.actions import (
    Action,
    Book,
    CancelBooking,
    FetchOffices,
    FetchVisitTypes,
    FindBookings,
    FindSlot,
    Hangup,
    HoldSlot,
    Play,
    ReleaseHold,
    ReturnToDialplan,
    SetVariables,
)
from ivr.flow.call import Call, State
from ivr.flow.events import (
    Booked,
    BookingsFound,
    Cancelled,
    HoldPlaced,
    OfficesLoaded,
    SlotFound,
    VariableRead,
    VisitTypesLoaded,
)
from ivr.flow.settings import LANGUAGES
from ivr.flow.spec import Decision, Step
from ivr.slots.models import Office, VisitType

if TYPE_CHECKING:
    from ivr.flow.machine import Machine


def release(call: Call) -> tuple[Action, ...]:
    return (ReleaseHold(call.hold.hold_id),) if call.hold is not None else ()


# -- endings --------------------------------------------------------------------------------------

FALLOUT_PROMPTS: Final[Mapping[str, tuple[str, ...]]] = {
    v.REASON_OPERATOR_REQUEST: ("transfer-operator",),
    v.REASON_INVALID_INPUT: ("transfer-operator",),
    v.REASON_NO_INPUT: ("transfer-operator",),
    v.REASON_NO_SLOTS: ("no-slots", "transfer-operator"),
    v.REASON_IDENTITY_LIMIT: ("identity-limit", "transfer-operator"),
    v.REASON_SERVICE_ERROR: ("service-error", "transfer-operator"),
}


def _outcome_variables(machine: Machine, call: Call, result: str) -> list[tuple[str, str]]:
    return [
        (v.IVR_LANGUAGE, machine.voice.language(call)),
        (v.IVR_OFFICE, call.office or ""),
        (v.IVR_VISIT_TYPE, call.visit_type or ""),
        (v.IVR_RESULT, result),
    ]


def fallout(machine: Machine, call: Call, reason: str) -> Step:
    values = _outcome_variables(machine, call, v.RESULT_FALLOUT)
    values.insert(3, (v.IVR_FALLOUT_REASON, reason))
    actions = (
        *release(call),
        Play(machine.voice.prompts(call, *FALLOUT_PROMPTS[reason])),
        SetVariables(tuple(values)),
        ReturnToDialplan(result=v.RESULT_FALLOUT, fallout_reason=reason),
    )
    ended = replace(
        call, state=State.OPERATOR, hold=None, result=v.RESULT_FALLOUT, fallout_reason=reason
    )
    return ended, actions


def to_operator(reason: str) -> Decision:
    """The answer that hands the caller to an operator with ``reason`` (whatever the event)."""

    def operator(machine: Machine, call: Call, event: object = None) -> Step:
        return fallout(machine, call, reason)

    return Decision(operator, leads_to=(State.OPERATOR,), label=f"operator ({reason})")


def _goodbye(machine: Machine, call: Call, result: str, *before: str) -> Step:
    actions = (
        Play(machine.voice.prompts(call, *before, "goodbye")),
        SetVariables(tuple(_outcome_variables(machine, call, result))),
        Hangup(result=result),
    )
    return replace(call, state=State.GOODBYE, result=result), actions


def hung_up(machine: Machine, call: Call, event: object) -> Step:
    ended = replace(call, state=State.HUNG_UP, hold=None, result=v.RESULT_HANGUP)
    return ended, (*release(call), ReturnToDialplan(result=v.RESULT_HANGUP))


def already_ended(machine: Machine, call: Call, event: object) -> Step:
    return call, ()


# -- the start and the language -------------------------------------------------------------------


def resume(machine: Machine, call: Call, event: VariableRead) -> Step:
    """A caller the dialplan sends back (operators closed) has chosen a language already and has
    heard keys-help then: neither again."""
    if event.value in LANGUAGES:
        return language_chosen(machine, replace(call, keys_explained=True), event.value)
    return machine.enter(call, State.LANGUAGE)


def language_chosen(machine: Machine, call: Call, language: str) -> Step:
    chosen = replace(call, language=language)
    set_language = SetVariables(((v.CHANNEL_LANGUAGE, language),))
    if not call.caller_number:
        return machine.wait(chosen, State.LOADING_OFFICES, (set_language,))
    return machine.wait(chosen, State.LOOKUP, (set_language,))


def find_bookings(machine: Machine, call: Call) -> FindBookings:
    return FindBookings(caller_number=call.caller_number)


def bookings_found(machine: Machine, call: Call, event: BookingsFound) -> Step:
    if not event.bookings:
        return book_another(machine, call)
    soonest = min(event.bookings, key=lambda booking: booking.starts_at)
    preface = machine.voice.prompts(call, "existing-booking")
    return machine.enter(call, State.EXISTING_MENU, preface, existing=soonest)


# -- an existing booking --------------------------------------------------------------------------


def hear_booking(machine: Machine, call: Call) -> Step:
    assert call.existing is not None
    heard = (
        *machine.voice.prompts(call, "your-booking"),
        *machine.voice.when(call, call.existing.starts_at),
        *machine.voice.prompts(call, f"office-{call.existing.office}"),
    )
    return machine.enter(call, State.EXISTING_MENU, heard)


def book_another(machine: Machine, call: Call) -> Step:
    if call.offices:
        return machine.enter(call, State.REGION)
    return machine.wait(call, State.LOADING_OFFICES)


def cancel_booking(machine: Machine, call: Call) -> CancelBooking:
    assert call.existing is not None
    return CancelBooking(reference=call.existing.reference, caller_number=call.caller_number)


def cancelled(machine: Machine, call: Call, event: Cancelled) -> Step:
    return _goodbye(machine, call, v.RESULT_CANCELLED, "booking-cancelled")


# -- office and visit type ------------------------------------------------------------------------


def fetch_offices(machine: Machine, call: Call) -> FetchOffices:
    return FetchOffices()


def offices_loaded(machine: Machine, call: Call, event: OfficesLoaded) -> Step:
    active = tuple(
        sorted(
            (office for office in event.offices if office.active),
            key=lambda office: office.menu_order,
        )
    )
    if not active:
        return fallout(machine, call, v.REASON_NO_SLOTS)
    return machine.enter(call, State.REGION, offices=active)


def region_chosen(machine: Machine, call: Call, region: str) -> Step | None:
    if not any(office.region == region for office in call.offices):
        return None
    return machine.enter(call, State.OFFICE, region=region)


def office_chosen(machine: Machine, call: Call, office: Office) -> Step:
    return machine.wait(call, State.LOADING_VISIT_TYPES, office=office.code, visit_types=())


def fetch_visit_types(machine: Machine, call: Call) -> FetchVisitTypes:
    assert call.office is not None
    return FetchVisitTypes(office=call.office)


def visit_types_loaded(machine: Machine, call: Call, event: VisitTypesLoaded) -> Step:
    if not event.visit_types:
        return fallout(machine, call, v.REASON_NO_SLOTS)
    return machine.enter(call, State.VISIT_TYPE, visit_types=event.visit_types)


def visit_type_chosen(machine: Machine, call: Call, visit: VisitType) -> Step:
    return machine.enter(call, State.PASSPORT, visit_type=visit.code)


# -- the identity ---------------------------------------------------------------------------------


def passport_entered(machine: Machine, call: Call, digits: str) -> Step | None:
    settings = machine.settings
    if not digits.isdigit() or not (
        settings.passport_min_digits <= len(digits) <= settings.passport_max_digits
    ):
        return None
    return machine.enter(call, State.BIRTH_DATE, passport=digits)


def parse_birth_date(digits: str, *, today: date, earliest_year: int) -> date | None:
    """``DDMMYYYY`` as a date of birth; None for no real date, a future one or a too old one."""
    if len(digits) != 8 or not digits.isdigit():
        return None
    try:
        born = date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
    except ValueError:
        return None
    if born > today or born.year < earliest_year:
        return None
    return born


def birth_date_entered(machine: Machine, call: Call, digits: str) -> Step | None:
    born = parse_birth_date(
        digits,
        today=machine.voice.local(call.started_at).date(),
        earliest_year=machine.settings.earliest_birth_year,
    )
    if born is None:
        return None
    return machine.enter(call, State.CONFIRM_IDENTITY, birth_date=born)


def identity_again(machine: Machine, call: Call) -> Step:
    return machine.enter(call, State.PASSPORT, passport=None, birth_date=None)


# -- the slot -------------------------------------------------------------------------------------


def search(
    machine: Machine, call: Call, *, after: datetime, before: tuple[str, ...],
    state: State = State.SEARCHING,
) -> Step:
    """Look for the first free slot after ``after`` (in ``state``: the inbound search or a
    notice's), saying ``before`` first; a held seat is given back."""
    notice = (Play(machine.voice.prompts(call, *before)),) if before else ()
    return machine.wait(
        call,
        state,
        (*release(call), *notice),
        search_after=after,
        slot=None,
        hold=None,
    )


def after_offered_slot(call: Call) -> datetime:
    assert call.slot is not None
    return call.slot.starts_at


def after_offered_day(machine: Machine, call: Call) -> datetime:
    """Midnight after the offered slot's day, local time."""
    assert call.slot is not None
    next_day = machine.voice.local(call.slot.starts_at).date() + timedelta(days=1)
    return datetime.combine(next_day, time(0), tzinfo=machine.voice.zone)


def search_from_now(machine: Machine, call: Call) -> Step:
    return search(machine, call, after=call.started_at, before=("searching",))


def next_slot(machine: Machine, call: Call) -> Step:
    return search(machine, call, after=after_offered_slot(call), before=())


def later_day(machine: Machine, call: Call) -> Step:
    return search(machine, call, after=after_offered_day(machine, call), before=())


def find_slot(machine: Machine, call: Call) -> FindSlot:
    assert call.office is not None and call.visit_type is not None
    assert call.search_after is not None
    return FindSlot(office=call.office, visit_type=call.visit_type, after=call.search_after)


def slot_found(machine: Machine, call: Call, event: SlotFound) -> Step:
    return machine.wait(call, State.HOLDING, slot=event.slot)


def hold_slot(machine: Machine, call: Call) -> HoldSlot:
    assert call.slot is not None
    return HoldSlot(
        slot_id=call.slot.slot_id,
        caller_number=call.caller_number,
        language=machine.voice.language(call),
    )


def hold_placed(machine: Machine, call: Call, event: HoldPlaced) -> Step:
    return machine.enter(call, State.SLOT_OFFER, hold=event.hold)


def search_on(machine: Machine, call: Call, event: object) -> Step:
    """The seat went between search and hold; the caller has heard nothing of it yet, so the
    search goes on silently (``slot-taken`` is for a slot the caller was offered)."""
    return next_slot(machine, call)


def book_hold(machine: Machine, call: Call) -> Book:
    assert call.hold is not None and call.passport is not None and call.birth_date is not None
    return Book(
        hold_id=call.hold.hold_id,
        caller_number=call.caller_number,
        language=machine.voice.language(call),
        passport_digits=call.passport,
        birth_date=call.birth_date,
        idempotency_key=f"{call.call_id}-{call.hold.hold_id}",
    )


def slot_taken(machine: Machine, call: Call, event: object) -> Step:
    """The hold expired or the seat went before the booking: the next slot from the same point."""
    assert call.search_after is not None
    gone = replace(call, hold=None)
    return search(machine, gone, after=call.search_after, before=("slot-taken",))


def booked(machine: Machine, call: Call, event: Booked) -> Step:
    return machine.enter(call, State.REFERENCE, booking=event.booking, hold=None)


def goodbye(machine: Machine, call: Call, event: object = None) -> Step:
    """The end of a booked call: the caller has the reference (or keyed past it)."""
    return _goodbye(machine, call, v.RESULT_BOOKED)


# the prompt ids these steps play themselves (the menus' are in their specs)
STEP_PROMPT_IDS: Final = frozenset(
    {
        "existing-booking",
        "your-booking",
        "booking-cancelled",
        "goodbye",
        "searching",
        "slot-taken",
        *(prompt_id for prompts in FALLOUT_PROMPTS.values() for prompt_id in prompts),
    }
)
