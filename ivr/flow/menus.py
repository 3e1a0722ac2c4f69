"""One spec per state of the booking flow: every menu's prompts and keys, every waiting state's
request and answers. To change a menu, change its spec here; the machine's table, the ``Ask``
the caller hears, its valid keys, the printed table in docs/call-flow.md (``python -m
ivr.flow.table``) and ``prompt_ids()`` all follow from it.

The vocabulary is :mod:`ivr.flow.spec`; the code of each decision is :mod:`ivr.flow.steps`.

``prompt_ids()`` lists every id the flow can play, for the prompt catalog's coverage check.

Nothing here raises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from ivr.flow import notice, steps
from ivr.flow import variables as v
from ivr.flow.actions import Prompt
from ivr.flow.call import Call, State
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
    SlotFound,
    VisitTypesLoaded,
)
from ivr.flow.settings import LANGUAGES, REGIONS
from ivr.flow.spec import Decision, Digits, Menu, Options, Spec, Spoken, Step, Waiting
from ivr.flow.voice import KEYS_HELP, MAX_MENU_OPTIONS, Voice

S = State
OPTION_IDS: Final = frozenset(f"option-{number}" for number in range(1, MAX_MENU_OPTIONS + 1))


def _languages(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    return (
        Prompt("welcome", voice.settings.default_language),
        *(Prompt("language-option", language) for language in LANGUAGES),
    )


def _offices(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    return voice.options(call, [office.code for office in call.region_offices], "office")


def _visit_types(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    return voice.options(call, [visit.code for visit in call.visit_types], "visit")


def _passport(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.passport is not None
    return voice.prompts(call, *voice.speaker(call).digits(call.passport))


def _birth_date(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.birth_date is not None
    return voice.prompts(call, *voice.speaker(call).date_with_year(call.birth_date))


def _slot_time(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.slot is not None
    return voice.when(call, call.slot.starts_at)


def _slot_office(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.slot is not None
    return voice.prompts(call, f"office-{call.slot.office}")


def _booking_time(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.existing is not None
    return voice.when(call, call.existing.starts_at)


def _booking_office(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.existing is not None
    return voice.prompts(call, f"office-{call.existing.office}")


def _booked_time(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.booking is not None
    return voice.when(call, call.booking.starts_at)


def _booked_office(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.booking is not None
    return voice.prompts(call, f"office-{call.booking.office}")


def _reference(voice: Voice, call: Call) -> tuple[Prompt, ...]:
    assert call.booking is not None
    return voice.prompts(call, *voice.speaker(call).reference(call.booking.reference))


LANGUAGE_OPTIONS = Spoken("welcome, each language's option", _languages,
                          frozenset({"welcome", "language-option"}))
OFFICES = Spoken("the region's offices, each with its key", _offices, OPTION_IDS)
VISIT_TYPES = Spoken("the office's visit types, each with its key", _visit_types, OPTION_IDS)
PASSPORT = Spoken("the passport digits", _passport)
BIRTH_DATE = Spoken("the birth date", _birth_date)
SLOT_TIME = Spoken("the slot's weekday, date and time", _slot_time)
SLOT_OFFICE = Spoken("the slot's office", _slot_office)
REFERENCE = Spoken("the reference", _reference)
BOOKING_TIME = Spoken("the existing booking's weekday, date and time", _booking_time)
BOOKING_OFFICE = Spoken("the existing booking's office", _booking_office)
BOOKED_TIME = Spoken("the new booking's weekday, date and time", _booked_time)
BOOKED_OFFICE = Spoken("the new booking's office", _booked_office)


def _decide(run: Callable[..., Step | None], *leads_to: State) -> Decision:
    return Decision(run, leads_to)


START: Final = _decide(steps.resume, S.LANGUAGE, S.LOOKUP, S.LOADING_OFFICES)  # IVR_LANGUAGE read

MENUS: Final[tuple[Menu, ...]] = (
    Menu(
        S.LANGUAGE,
        says=(LANGUAGE_OPTIONS,),
        options=Options("language", lambda call: LANGUAGES,
                        _decide(steps.language_chosen, S.LOOKUP, S.LOADING_OFFICES)),
        explains_keys=False,  # no language chosen yet, and * has nowhere to go back to
    ),
    Menu(
        S.EXISTING_MENU,
        says=("existing-menu",),
        keys={
            "1": _decide(steps.hear_booking, S.EXISTING_MENU),
            "2": S.CANCEL_CONFIRM,
            "3": _decide(steps.book_another, S.REGION, S.LOADING_OFFICES),
        },
        back=S.LANGUAGE,
    ),
    Menu(
        S.CANCEL_CONFIRM,
        says=("cancel-confirm",),
        keys={"1": S.CANCELLING, "2": S.EXISTING_MENU},
        back=S.EXISTING_MENU,
    ),
    Menu(
        S.REGION,
        says=("region-menu",),
        options=Options("region with an office", lambda call: REGIONS,
                        _decide(steps.region_chosen, S.OFFICE)),
        back=S.LANGUAGE,
    ),
    Menu(
        S.OFFICE,
        says=("office-menu", OFFICES),
        options=Options("office of the region", lambda call: call.region_offices,
                        _decide(steps.office_chosen, S.LOADING_VISIT_TYPES)),
        back=S.REGION,
    ),
    Menu(
        S.VISIT_TYPE,
        says=("visit-type-menu", VISIT_TYPES),
        options=Options("visit type of the office", lambda call: call.visit_types,
                        _decide(steps.visit_type_chosen, S.PASSPORT)),
        back=S.OFFICE,
    ),
    Menu(
        S.PASSPORT,
        says=("passport-prompt",),
        digits=Digits("passport number", lambda settings: settings.passport_max_digits,
                      _decide(steps.passport_entered, S.BIRTH_DATE)),
        back=S.VISIT_TYPE,
    ),
    Menu(
        S.BIRTH_DATE,
        says=("birthdate-prompt",),
        digits=Digits("birth date DDMMYYYY", lambda settings: 8,
                      _decide(steps.birth_date_entered, S.CONFIRM_IDENTITY)),
        back=S.PASSPORT,
        refusal="birthdate-invalid",
    ),
    Menu(
        S.CONFIRM_IDENTITY,
        # readback-letters: a caller who keyed the keys of its passport's letters (FE… as 33…)
        # hears its number as it keyed it, so the rule is said again here (docs/call-flow.md)
        says=("readback-passport", PASSPORT, "readback-birthdate", BIRTH_DATE,
              "readback-letters", "confirm-menu"),
        keys={
            "1": _decide(steps.search_from_now, S.SEARCHING),
            "2": _decide(steps.identity_again, S.PASSPORT),
        },
        back=S.BIRTH_DATE,
    ),
    Menu(
        S.SLOT_OFFER,
        says=("slot-offer", SLOT_TIME, "slot-offer-office", SLOT_OFFICE, "slot-menu"),
        keys={
            "1": S.BOOKING,
            "2": _decide(steps.next_slot, S.SEARCHING),
            "3": _decide(steps.later_day, S.SEARCHING),
        },
        back=S.CONFIRM_IDENTITY,
    ),
    Menu(
        S.REFERENCE,
        # what was booked, the reference twice and what to bring, so the caller can note it
        says=("booking-confirmed", BOOKED_TIME, "slot-offer-office", BOOKED_OFFICE,
              "booking-reference", REFERENCE, "reference-again", REFERENCE, "bring-documents",
              "reference-menu"),
        # 1 repeats; # lets a caller who has noted the reference skip the rest
        keys={"1": S.REFERENCE, "#": _decide(steps.goodbye, S.GOODBYE)},
        otherwise=_decide(steps.goodbye, S.GOODBYE),
        silence=_decide(steps.goodbye, S.GOODBYE),
    ),
)

IDENTITY_LIMIT: Final = steps.to_operator(v.REASON_IDENTITY_LIMIT)
SERVICE_FAILED: Final = steps.to_operator(v.REASON_SERVICE_ERROR)  # every waiting state's
OPERATOR_REQUEST: Final = steps.to_operator(v.REASON_OPERATOR_REQUEST)  # 0, in every menu

WAITING: Final[tuple[Waiting, ...]] = (
    Waiting(S.LOOKUP, steps.find_bookings, {
        BookingsFound: _decide(steps.bookings_found, S.EXISTING_MENU, S.REGION,
                               S.LOADING_OFFICES),
    }),
    Waiting(S.CANCELLING, steps.cancel_booking, {
        Cancelled: _decide(steps.cancelled, S.GOODBYE),
    }),
    Waiting(S.LOADING_OFFICES, steps.fetch_offices, {
        OfficesLoaded: _decide(steps.offices_loaded, S.REGION, S.OPERATOR),
    }),
    Waiting(S.LOADING_VISIT_TYPES, steps.fetch_visit_types, {
        VisitTypesLoaded: _decide(steps.visit_types_loaded, S.VISIT_TYPE, S.OPERATOR),
    }),
    Waiting(S.SEARCHING, steps.find_slot, {
        SlotFound: _decide(steps.slot_found, S.HOLDING),
        NoSlotLeft: steps.to_operator(v.REASON_NO_SLOTS),
    }),
    Waiting(S.HOLDING, steps.hold_slot, {
        HoldPlaced: _decide(steps.hold_placed, S.SLOT_OFFER),
        HoldRefused: _decide(steps.search_on, S.SEARCHING),
        IdentityLimitReached: IDENTITY_LIMIT,
    }),
    Waiting(S.BOOKING, steps.book_hold, {
        Booked: _decide(steps.booked, S.REFERENCE),
        BookingRefused: _decide(steps.slot_taken, S.SEARCHING),
        IdentityLimitReached: IDENTITY_LIMIT,
    }),
)

# -- the notice mode of an outbound call (ivr.flow.notice) ----------------------------------------

NOTICE_START: Final = _decide(notice.notice_read, S.NOTICE_LOADING, S.OPERATOR)  # IVR_NOTICE read
_REBOOK_NOW: Final = _decide(notice.rebook_now, S.NOTICE_SEARCHING)
_OPT_OUT: Final = S.NOTICE_OPTING_OUT

NOTICE_MENUS: Final[tuple[Menu, ...]] = (
    Menu(
        S.NOTICE_REMINDER,
        says=("notice-reminder", "your-booking", BOOKING_TIME, "slot-offer-office",
              BOOKING_OFFICE, "notice-reminder-menu"),
        keys={
            "1": _decide(notice.keep, S.GOODBYE),
            "2": S.NOTICE_CANCELLING,
            "3": _REBOOK_NOW,
            "9": _OPT_OUT,
        },
        explains_keys=False,  # the menu names its keys, 0 included; * says it again
    ),
    Menu(
        S.NOTICE_CLOSURE,
        says=("notice-closure", "your-booking", BOOKING_TIME, "slot-offer-office",
              BOOKING_OFFICE, "notice-closure-cancelled", "notice-closure-menu"),
        keys={"3": _REBOOK_NOW, "9": _OPT_OUT},
        explains_keys=False,
    ),
    Menu(
        S.NOTICE_SLOT_OFFER,
        says=("slot-offer", SLOT_TIME, "slot-offer-office", SLOT_OFFICE, "slot-menu"),
        keys={
            "1": S.REBOOKING,
            "2": _decide(notice.next_slot, S.NOTICE_SEARCHING),
            "3": _decide(notice.later_day, S.NOTICE_SEARCHING),
        },
        explains_keys=False,
    ),
    Menu(
        S.NOTICE_REFERENCE,
        says=("booking-confirmed", REFERENCE, "reference-again", REFERENCE, "reference-menu"),
        keys={"1": S.NOTICE_REFERENCE, "#": _decide(notice.rebooked_goodbye, S.GOODBYE)},
        otherwise=_decide(notice.rebooked_goodbye, S.GOODBYE),
        silence=_decide(notice.rebooked_goodbye, S.GOODBYE),
        explains_keys=False,
    ),
)

NOTICE_WAITING: Final[tuple[Waiting, ...]] = (
    Waiting(S.NOTICE_LOADING, notice.find_notice_booking, {
        BookingLoaded: _decide(notice.notice_loaded, S.NOTICE_REMINDER, S.NOTICE_CLOSURE),
    }),
    Waiting(S.NOTICE_CANCELLING, notice.cancel_notice_booking, {
        Cancelled: _decide(notice.notice_cancelled, S.GOODBYE),
    }),
    Waiting(S.NOTICE_OPTING_OUT, notice.opt_out, {
        OptedOut: _decide(notice.opted_out, S.GOODBYE),
    }),
    Waiting(S.NOTICE_SEARCHING, steps.find_slot, {
        SlotFound: _decide(notice.slot_found, S.NOTICE_HOLDING),
        NoSlotLeft: steps.to_operator(v.REASON_NO_SLOTS),
    }),
    Waiting(S.NOTICE_HOLDING, steps.hold_slot, {
        HoldPlaced: _decide(notice.hold_placed, S.NOTICE_SLOT_OFFER),
        HoldRefused: _decide(notice.search_on, S.NOTICE_SEARCHING),
        IdentityLimitReached: IDENTITY_LIMIT,
    }),
    Waiting(S.REBOOKING, notice.rebook, {
        Booked: _decide(notice.rebooked, S.NOTICE_REFERENCE),
        BookingRefused: _decide(notice.slot_taken, S.NOTICE_SEARCHING),
        IdentityLimitReached: IDENTITY_LIMIT,
    }),
)

_ALL: Final[tuple[Spec, ...]] = (*MENUS, *WAITING, *NOTICE_MENUS, *NOTICE_WAITING)
SPECS: Final[dict[State, Spec]] = {spec.state: spec for spec in _ALL}
assert len(SPECS) == len(_ALL), "one spec per state"


def _menu_prompt_ids() -> frozenset[str]:
    ids: set[str] = {KEYS_HELP, "no-input"}
    for menu in (*MENUS, *NOTICE_MENUS):
        ids.add(menu.refusal)
        for part in menu.says:
            ids |= {part} if isinstance(part, str) else part.ids
    return frozenset(ids)


FLOW_PROMPT_IDS: Final = (
    _menu_prompt_ids() | steps.STEP_PROMPT_IDS | notice.NOTICE_STEP_PROMPT_IDS
)


def prompt_ids(
    *, office_codes: Sequence[str] = (), visit_type_codes: Sequence[str] = ()
) -> set[str]:
    """Every prompt id the flow can play, besides the fragments of :mod:`ivr.speech`.

    Office and visit-type names come from the slot service at run time, so their ids
    (``office-<code>``, ``visit-<code>``) are included for the codes given.
    """
    names = {f"office-{code}" for code in office_codes}
    names |= {f"visit-{code}" for code in visit_type_codes}
    return set(FLOW_PROMPT_IDS) | names
