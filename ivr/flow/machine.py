"""The booking call flow as a pure state machine: one table, no I/O, no clock, no awaits.

h11's rule applies: everything that decides a transition lives in this file, and as much as
possible of it in the table ``TRANSITIONS`` (state → event type → handler) and the per-state
rows built by ``_menu`` (which keys a menu takes, where ``*`` goes back to). The machine answers
each event with a new immutable :class:`Call` and a tuple of actions
(:mod:`ivr.flow.actions`); :mod:`ivr.flow.runner` performs them and feeds the answers back as
events (:mod:`ivr.flow.events`). What a state says when a call enters it is in
:mod:`ivr.flow.menus`, the states and the call record in :mod:`ivr.flow.call`. The key-by-key
contract is docs/architecture.md.

Rules common to every menu: ``0`` → operator (operator-request), ``*`` → back one step; a wrong
key → ``invalid-input`` and the menu again, silence → ``no-input`` and the menu again, each with
its own counter (``FlowSettings.max_invalid_inputs`` / ``max_no_inputs``); reaching either limit
hands the caller to an operator. A valid answer resets both counters. Falling out always releases
a held seat first and sets the ``IVR_*`` variables before returning to the dialplan.

Exceptions::

    FlowError   an event the table does not expect in the current state (a runner bug)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from typing import Any, Final

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
    Prompt,
    ReadVariable,
    ReleaseHold,
    ReturnToDialplan,
    SetVariables,
)
from ivr.flow.call import Call, FlowError, Speaker, State
from ivr.flow.events import (
    Booked,
    BookingRefused,
    BookingsFound,
    CallerHungUp,
    Cancelled,
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
from ivr.flow.menus import BACK_KEY, MAX_MENU_OPTIONS, OPERATOR_KEY, Voice
from ivr.flow.settings import LANGUAGES, REGIONS, FlowSettings

Step = tuple[Call, tuple[Action, ...]]
Handler = Callable[["Machine", Call, Any], Step]
KeyHandler = Callable[["Machine", Call, str], "Step | None"]


class Machine:
    """Builds the first step of a call and answers each event by looking up ``TRANSITIONS``."""

    def __init__(self, *, settings: FlowSettings, speakers: Callable[[str], Speaker]) -> None:
        self.settings = settings
        self.voice = Voice(settings=settings, speakers=speakers)

    def start(self, *, call_id: str, caller_number: str, started_at: datetime) -> Step:
        """A new call first reads ``IVR_LANGUAGE``: a caller the dialplan sends back to the
        menu (operators closed) has chosen a language already and is not asked again."""
        call = Call(
            state=State.STARTING,
            call_id=call_id,
            caller_number=caller_number,
            started_at=started_at,
        )
        return call, (ReadVariable(v.IVR_LANGUAGE),)

    def step(self, call: Call, event: object) -> Step:
        handler = TRANSITIONS[call.state].get(type(event))
        if handler is None:
            raise FlowError(f"can't handle {type(event).__name__} in state {call.state}")
        return handler(self, call, event)


def _enter(
    machine: Machine, call: Call, state: State, preface: tuple[Prompt, ...] = (), **changes: Any
) -> Step:
    """Move to a menu after a valid answer: the counters start again."""
    entered = replace(call, state=state, invalid_inputs=0, no_inputs=0, **changes)
    return entered, machine.voice.ask(entered, preface)


def _wait(call: Call, state: State, actions: tuple[Action, ...], **changes: Any) -> Step:
    """Move to a state that waits for the slot service's answer to the last action."""
    return replace(call, state=state, invalid_inputs=0, no_inputs=0, **changes), actions


def _release(call: Call) -> tuple[Action, ...]:
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


def _fallout(machine: Machine, call: Call, reason: str) -> Step:
    values = _outcome_variables(machine, call, v.RESULT_FALLOUT)
    values.insert(3, (v.IVR_FALLOUT_REASON, reason))
    actions = (
        *_release(call),
        Play(machine.voice.prompts(call, *FALLOUT_PROMPTS[reason])),
        SetVariables(tuple(values)),
        ReturnToDialplan(result=v.RESULT_FALLOUT, fallout_reason=reason),
    )
    ended = replace(
        call, state=State.OPERATOR, hold=None, result=v.RESULT_FALLOUT, fallout_reason=reason
    )
    return ended, actions


def _goodbye(machine: Machine, call: Call, result: str, *before: str) -> Step:
    actions = (
        Play(machine.voice.prompts(call, *before, "goodbye")),
        SetVariables(tuple(_outcome_variables(machine, call, result))),
        Hangup(result=result),
    )
    return replace(call, state=State.GOODBYE, result=result), actions


def _hung_up(machine: Machine, call: Call, event: CallerHungUp) -> Step:
    ended = replace(call, state=State.HUNG_UP, hold=None, result=v.RESULT_HANGUP)
    return ended, (*_release(call), ReturnToDialplan(result=v.RESULT_HANGUP))


def _already_ended(machine: Machine, call: Call, event: CallerHungUp) -> Step:
    return call, ()


def _service_failed(machine: Machine, call: Call, event: ServiceFailed) -> Step:
    return _fallout(machine, call, v.REASON_SERVICE_ERROR)


def _identity_limit(machine: Machine, call: Call, event: IdentityLimitReached) -> Step:
    return _fallout(machine, call, v.REASON_IDENTITY_LIMIT)


# -- caller input common to every menu ------------------------------------------------------------


def _menu(on_keys: KeyHandler, *, back: State | None) -> dict[type, Handler]:
    """A menu row of the table: its key handler, where ``*`` leads, and the common events."""

    def keys(machine: Machine, call: Call, event: Keys) -> Step:
        digits = event.digits
        if digits == OPERATOR_KEY:
            return _fallout(machine, call, v.REASON_OPERATOR_REQUEST)
        if digits.startswith(BACK_KEY):
            if back is None:
                return _enter(machine, call, call.state)
            return _back(machine, call, back)
        answer = on_keys(machine, call, digits)
        return answer if answer is not None else _invalid(machine, call)

    return {Keys: keys, NoInput: _no_input, CallerHungUp: _hung_up}


def _back(machine: Machine, call: Call, back: State) -> Step:
    released = _release(call)
    entered, actions = _enter(machine, replace(call, hold=None), back)
    return entered, (*released, *actions)


def _invalid(machine: Machine, call: Call, prompt_id: str = "invalid-input") -> Step:
    count = call.invalid_inputs + 1
    if count >= machine.settings.max_invalid_inputs:
        return _fallout(machine, call, v.REASON_INVALID_INPUT)
    again = replace(call, invalid_inputs=count)
    return again, machine.voice.ask(again, machine.voice.prompts(call, prompt_id))


def _no_input(machine: Machine, call: Call, event: NoInput) -> Step:
    count = call.no_inputs + 1
    if count >= machine.settings.max_no_inputs:
        return _fallout(machine, call, v.REASON_NO_INPUT)
    again = replace(call, no_inputs=count)
    return again, machine.voice.ask(again, machine.voice.prompts(call, "no-input"))


# -- what each menu's keys do ---------------------------------------------------------------------


def _choose(options: Sequence[Any], digits: str) -> Any | None:
    if len(digits) == 1 and digits.isdigit() and 1 <= int(digits) <= len(options):
        return options[int(digits) - 1]
    return None


def _resume(machine: Machine, call: Call, event: VariableRead) -> Step:
    if event.value in LANGUAGES:
        return _language_chosen(call, event.value)
    return _enter(machine, call, State.LANGUAGE)


def _language_key(machine: Machine, call: Call, digits: str) -> Step | None:
    language = _choose(LANGUAGES, digits)
    return None if language is None else _language_chosen(call, language)


def _language_chosen(call: Call, language: str) -> Step:
    chosen = replace(call, language=language)
    set_language = SetVariables(((v.CHANNEL_LANGUAGE, language),))
    if not call.caller_number:
        return _wait(chosen, State.LOADING_OFFICES, (set_language, FetchOffices()))
    lookup = FindBookings(caller_number=call.caller_number)
    return _wait(chosen, State.LOOKUP, (set_language, lookup))


def _existing_key(machine: Machine, call: Call, digits: str) -> Step | None:
    assert call.existing is not None
    if digits == "1":
        heard = (
            *machine.voice.prompts(call, "your-booking"),
            *machine.voice.when(call, call.existing.starts_at),
            *machine.voice.prompts(call, f"office-{call.existing.office}"),
        )
        return _enter(machine, call, State.EXISTING_MENU, heard)
    if digits == "2":
        return _enter(machine, call, State.CANCEL_CONFIRM)
    if digits == "3":
        return _load_offices(machine, call)
    return None


def _cancel_key(machine: Machine, call: Call, digits: str) -> Step | None:
    assert call.existing is not None
    if digits == "1":
        cancel = CancelBooking(reference=call.existing.reference, caller_number=call.caller_number)
        return _wait(call, State.CANCELLING, (cancel,))
    if digits == "2":
        return _enter(machine, call, State.EXISTING_MENU)
    return None


def _load_offices(machine: Machine, call: Call) -> Step:
    if call.offices:
        return _enter(machine, call, State.REGION)
    return _wait(call, State.LOADING_OFFICES, (FetchOffices(),))


def _region_key(machine: Machine, call: Call, digits: str) -> Step | None:
    region = _choose(REGIONS, digits)
    if region is None or not any(office.region == region for office in call.offices):
        return None
    return _enter(machine, call, State.OFFICE, region=region)


def _office_key(machine: Machine, call: Call, digits: str) -> Step | None:
    office = _choose(call.region_offices[:MAX_MENU_OPTIONS], digits)
    if office is None:
        return None
    fetch = FetchVisitTypes(office=office.code)
    return _wait(call, State.LOADING_VISIT_TYPES, (fetch,), office=office.code, visit_types=())


def _visit_type_key(machine: Machine, call: Call, digits: str) -> Step | None:
    visit = _choose(call.visit_types[:MAX_MENU_OPTIONS], digits)
    if visit is None:
        return None
    return _enter(machine, call, State.PASSPORT, visit_type=visit.code)


def _passport_keys(machine: Machine, call: Call, digits: str) -> Step | None:
    settings = machine.settings
    if not digits.isdigit() or not (
        settings.passport_min_digits <= len(digits) <= settings.passport_max_digits
    ):
        return None
    return _enter(machine, call, State.BIRTH_DATE, passport=digits)


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


def _birth_date_keys(machine: Machine, call: Call, digits: str) -> Step | None:
    born = parse_birth_date(
        digits,
        today=machine.voice.local(call.started_at).date(),
        earliest_year=machine.settings.earliest_birth_year,
    )
    if born is None:
        return _invalid(machine, call, "birthdate-invalid")
    return _enter(machine, call, State.CONFIRM_IDENTITY, birth_date=born)


def _confirm_identity_key(machine: Machine, call: Call, digits: str) -> Step | None:
    if digits == "1":
        return _search(machine, call, after=call.started_at, before=("searching",))
    if digits == "2":
        return _enter(machine, call, State.PASSPORT, passport=None, birth_date=None)
    return None


def _search(machine: Machine, call: Call, *, after: datetime, before: tuple[str, ...]) -> Step:
    assert call.office is not None and call.visit_type is not None
    find = FindSlot(office=call.office, visit_type=call.visit_type, after=after)
    notice = (Play(machine.voice.prompts(call, *before)),) if before else ()
    actions = (*_release(call), *notice, find)
    return _wait(call, State.SEARCHING, actions, search_after=after, slot=None, hold=None)


def _slot_offer_key(machine: Machine, call: Call, digits: str) -> Step | None:
    assert call.slot is not None and call.hold is not None
    if digits == "1":
        assert call.passport is not None and call.birth_date is not None
        book = Book(
            hold_id=call.hold.hold_id,
            caller_number=call.caller_number,
            language=machine.voice.language(call),
            passport_digits=call.passport,
            birth_date=call.birth_date,
            idempotency_key=f"{call.call_id}-{call.hold.hold_id}",
        )
        return _wait(call, State.BOOKING, (book,))
    if digits == "2":
        return _search(machine, call, after=call.slot.starts_at, before=())
    if digits == "3":
        next_day = machine.voice.local(call.slot.starts_at).date() + timedelta(days=1)
        midnight = datetime.combine(next_day, time(0), tzinfo=machine.voice.zone)
        return _search(machine, call, after=midnight, before=())
    return None


def _reference_key(machine: Machine, call: Call, digits: str) -> Step | None:
    if digits == "1":
        return _enter(machine, call, State.REFERENCE)
    return _goodbye(machine, call, v.RESULT_BOOKED)


def _reference_silence(machine: Machine, call: Call, event: NoInput) -> Step:
    return _goodbye(machine, call, v.RESULT_BOOKED)


# -- answers of the slot service ------------------------------------------------------------------


def _bookings_found(machine: Machine, call: Call, event: BookingsFound) -> Step:
    if not event.bookings:
        return _load_offices(machine, call)
    soonest = min(event.bookings, key=lambda booking: booking.starts_at)
    preface = machine.voice.prompts(call, "existing-booking")
    return _enter(machine, call, State.EXISTING_MENU, preface, existing=soonest)


def _cancelled(machine: Machine, call: Call, event: Cancelled) -> Step:
    return _goodbye(machine, call, v.RESULT_CANCELLED, "booking-cancelled")


def _offices_loaded(machine: Machine, call: Call, event: OfficesLoaded) -> Step:
    active = tuple(
        sorted(
            (office for office in event.offices if office.active),
            key=lambda office: office.menu_order,
        )
    )
    if not active:
        return _fallout(machine, call, v.REASON_NO_SLOTS)
    return _enter(machine, call, State.REGION, offices=active)


def _visit_types_loaded(machine: Machine, call: Call, event: VisitTypesLoaded) -> Step:
    if not event.visit_types:
        return _fallout(machine, call, v.REASON_NO_SLOTS)
    return _enter(machine, call, State.VISIT_TYPE, visit_types=event.visit_types)


def _slot_found(machine: Machine, call: Call, event: SlotFound) -> Step:
    hold = HoldSlot(
        slot_id=event.slot.slot_id,
        caller_number=call.caller_number,
        language=machine.voice.language(call),
    )
    return _wait(call, State.HOLDING, (hold,), slot=event.slot)


def _no_slot_left(machine: Machine, call: Call, event: NoSlotLeft) -> Step:
    return _fallout(machine, call, v.REASON_NO_SLOTS)


def _hold_placed(machine: Machine, call: Call, event: HoldPlaced) -> Step:
    return _enter(machine, call, State.SLOT_OFFER, hold=event.hold)


def _hold_refused(machine: Machine, call: Call, event: HoldRefused) -> Step:
    """The seat went between search and hold; the caller has heard nothing of it yet, so the
    search goes on silently (``slot-taken`` is for a slot the caller was offered)."""
    assert call.slot is not None
    return _search(machine, call, after=call.slot.starts_at, before=())


def _booking_refused(machine: Machine, call: Call, event: BookingRefused) -> Step:
    assert call.search_after is not None
    gone = replace(call, hold=None)
    return _search(machine, gone, after=call.search_after, before=("slot-taken",))


def _booked(machine: Machine, call: Call, event: Booked) -> Step:
    return _enter(machine, call, State.REFERENCE, booking=event.booking, hold=None)


_ENDED: Final[dict[type, Handler]] = {CallerHungUp: _already_ended}

# -- THE table ------------------------------------------------------------------------------------

TRANSITIONS: Final[Mapping[State, Mapping[type, Handler]]] = {
    State.STARTING: {VariableRead: _resume, CallerHungUp: _hung_up},
    State.LANGUAGE: _menu(_language_key, back=None),
    State.LOOKUP: {
        BookingsFound: _bookings_found,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.EXISTING_MENU: _menu(_existing_key, back=State.LANGUAGE),
    State.CANCEL_CONFIRM: _menu(_cancel_key, back=State.EXISTING_MENU),
    State.CANCELLING: {
        Cancelled: _cancelled,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.LOADING_OFFICES: {
        OfficesLoaded: _offices_loaded,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.REGION: _menu(_region_key, back=State.LANGUAGE),
    State.OFFICE: _menu(_office_key, back=State.REGION),
    State.LOADING_VISIT_TYPES: {
        VisitTypesLoaded: _visit_types_loaded,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.VISIT_TYPE: _menu(_visit_type_key, back=State.OFFICE),
    State.PASSPORT: _menu(_passport_keys, back=State.VISIT_TYPE),
    State.BIRTH_DATE: _menu(_birth_date_keys, back=State.PASSPORT),
    State.CONFIRM_IDENTITY: _menu(_confirm_identity_key, back=State.BIRTH_DATE),
    State.SEARCHING: {
        SlotFound: _slot_found,
        NoSlotLeft: _no_slot_left,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.HOLDING: {
        HoldPlaced: _hold_placed,
        HoldRefused: _hold_refused,
        IdentityLimitReached: _identity_limit,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.SLOT_OFFER: _menu(_slot_offer_key, back=State.CONFIRM_IDENTITY),
    State.BOOKING: {
        Booked: _booked,
        BookingRefused: _booking_refused,
        IdentityLimitReached: _identity_limit,
        ServiceFailed: _service_failed,
        CallerHungUp: _hung_up,
    },
    State.REFERENCE: {**_menu(_reference_key, back=None), NoInput: _reference_silence},
    State.GOODBYE: _ENDED,
    State.OPERATOR: _ENDED,
    State.HUNG_UP: _ENDED,
}
