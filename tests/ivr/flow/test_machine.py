"""The call flow's state machine, driven event by event with no sockets (h11's test_state style)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from ivr.flow import variables as v
from ivr.flow.actions import (
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
    Prompt,
    ReleaseHold,
    ReturnToDialplan,
    SetVariables,
)
from ivr.flow.call import TERMINAL_STATES, FlowError, State
from ivr.flow.events import (
    BookingRefused,
    BookingsFound,
    CallerHungUp,
    Cancelled,
    HoldRefused,
    IdentityLimitReached,
    Keys,
    NoInput,
    NoSlotLeft,
    OfficesLoaded,
    ServiceFailed,
    VisitTypesLoaded,
)
from ivr.flow.machine import TRANSITIONS
from ivr.flow.menus import prompt_ids
from ivr.flow.steps import parse_birth_date
from ivr.speech import fragment_ids
from tests.ivr.flow.support import (
    BOOKING,
    CALLER,
    HOLD,
    OFFICES,
    SLOT,
    STARTED_AT,
    VISIT_TYPES,
    drive,
    events_to,
    machine,
    prompt_ids_of,
    prompts_of,
    variables_of,
)

MENU_STATES = [
    State.LANGUAGE,
    State.REGION,
    State.OFFICE,
    State.VISIT_TYPE,
    State.PASSPORT,
    State.BIRTH_DATE,
    State.CONFIRM_IDENTITY,
    State.SLOT_OFFER,
]
PATH_STATES = [
    State.LANGUAGE,
    State.LOOKUP,
    State.LOADING_OFFICES,
    State.REGION,
    State.OFFICE,
    State.LOADING_VISIT_TYPES,
    State.VISIT_TYPE,
    State.PASSPORT,
    State.BIRTH_DATE,
    State.CONFIRM_IDENTITY,
    State.SEARCHING,
    State.HOLDING,
    State.SLOT_OFFER,
    State.BOOKING,
    State.REFERENCE,
]


def test_a_call_opens_with_the_language_menu_each_option_in_its_own_language() -> None:
    call, (actions,) = drive(machine(), [])
    assert call.state is State.LANGUAGE
    (ask,) = actions
    assert isinstance(ask, Ask)
    assert ask.prompts[0] == Prompt("welcome", "cs")
    assert ask.prompts[1:] == tuple(
        Prompt("language-option", language) for language in ("cs", "en", "uk", "ru", "vi")
    )
    assert set(ask.keys) == set("12345*0")
    assert ask.max_digits == 1


@pytest.mark.parametrize("on_channel", [None, "", "xx"])
def test_a_new_caller_hears_the_language_menu(on_channel: str | None) -> None:
    call, (actions,) = drive(machine(), [], language_on_channel=on_channel)
    assert call.state is State.LANGUAGE and call.language is None
    assert prompt_ids_of(actions)[0] == "welcome"


def test_a_caller_sent_back_to_the_menu_keeps_the_language_chosen() -> None:
    call, (actions,) = drive(machine(), [], language_on_channel="ru")
    assert call.state is State.LOOKUP and call.language == "ru"
    assert actions == (
        SetVariables(((v.CHANNEL_LANGUAGE, "ru"),)),
        FindBookings(caller_number=CALLER),
    )


def test_a_hangup_before_the_first_prompt() -> None:
    flow = machine()
    call, _ = flow.start(call_id="c", caller_number=CALLER, started_at=STARTED_AT)
    call, actions = flow.step(call, CallerHungUp())
    assert call.state is State.HUNG_UP and actions == (ReturnToDialplan(result="hangup"),)


def test_the_first_time_english_caller_books_the_earliest_slot() -> None:
    flow = machine()
    call, steps = drive(flow, events_to(State.REFERENCE))
    assert call.state is State.REFERENCE
    assert steps[1] == (
        SetVariables(((v.CHANNEL_LANGUAGE, "en"),)),
        FindBookings(caller_number=CALLER),
    )
    assert steps[2] == (FetchOffices(),)
    assert prompt_ids_of(steps[3]) == ["keys-help", "region-menu"]  # once, after the language
    # Prague's active offices in menu order, each followed by its key
    assert prompt_ids_of(steps[4]) == [
        "office-menu",
        "office-praha-zukovskeho",
        "option-1",
        "office-praha-cigankova",
        "option-2",
        "office-praha-kolbenova",
        "option-3",
        "office-praha-hladkov",
        "option-4",
    ]
    assert steps[5] == (FetchVisitTypes(office="praha-zukovskeho"),)
    assert prompt_ids_of(steps[6])[:3] == ["visit-type-menu", "visit-ltr-new", "option-1"]
    (passport,) = steps[7]
    assert isinstance(passport, Ask) and passport.max_digits == 20
    assert passport.first_digit_timeout_ms == 8000 and passport.inter_digit_timeout_ms == 3000
    readback = prompt_ids_of(steps[9])
    assert readback[0] == "readback-passport" and readback[-1] == "confirm-menu"
    assert "readback-birthdate" in readback
    assert steps[10] == (
        Play((Prompt("searching", "en"),)),
        FindSlot(office="praha-zukovskeho", visit_type="ltr-new", after=STARTED_AT),
    )
    assert steps[11] == (HoldSlot(slot_id=41, caller_number=CALLER, language="en"),)
    offer = prompt_ids_of(steps[12])
    assert offer[0] == "slot-offer"
    assert offer[-3:] == ["slot-offer-office", "office-praha-zukovskeho", "slot-menu"]
    assert all(prompt.language == "en" for prompt in prompts_of(steps[12]))
    assert steps[13] == (
        Book(
            hold_id="h-1",
            caller_number=CALLER,
            language="en",
            passport_digits="123456789",
            birth_date=date(1990, 1, 5),
            idempotency_key="c1-h-1",
        ),
    )
    reference = prompt_ids_of(steps[14])
    assert reference[0] == "booking-confirmed" and reference[-1] == "reference-menu"
    assert reference.count("reference-again") == 1

    call, goodbye = flow.step(call, NoInput())
    assert call.state is State.GOODBYE and call.result == v.RESULT_BOOKED
    assert prompt_ids_of(goodbye) == ["goodbye"]
    assert variables_of(goodbye)[v.IVR_RESULT] == "booked"
    assert variables_of(goodbye)[v.IVR_OFFICE] == "praha-zukovskeho"
    assert goodbye[-1] == Hangup(result="booked")


def test_hash_skips_the_rest_of_the_reference_read_out() -> None:
    flow = machine()
    call, steps = drive(flow, events_to(State.REFERENCE))
    (ask,) = steps[-1]
    assert isinstance(ask, Ask) and "#" in ask.keys  # interrupts the read-out (STREAM FILE)
    call, goodbye = flow.step(call, Keys("#"))
    assert call.state is State.GOODBYE and goodbye[-1] == Hangup(result="booked")


def test_one_repeats_the_reference_and_any_other_key_says_goodbye() -> None:
    flow = machine()
    call, _ = drive(flow, events_to(State.REFERENCE))
    call, again = flow.step(call, Keys("1"))
    assert call.state is State.REFERENCE
    assert prompt_ids_of(again)[0] == "booking-confirmed"
    call, goodbye = flow.step(call, Keys("9"))
    assert call.state is State.GOODBYE and goodbye[-1] == Hangup(result="booked")


def _fallout_to(events: list[object], reason: str, *, release: bool = False) -> None:
    call, steps = drive(machine(), events)  # type: ignore[arg-type]
    assert call.state is State.OPERATOR
    assert call.fallout_reason == reason
    last = steps[-1]
    assert last[-1] == ReturnToDialplan(result="fallout", fallout_reason=reason)
    assert variables_of(last) == {
        v.IVR_LANGUAGE: call.language or "cs",
        v.IVR_OFFICE: call.office or "",
        v.IVR_VISIT_TYPE: call.visit_type or "",
        v.IVR_FALLOUT_REASON: reason,
        v.IVR_RESULT: "fallout",
    }
    assert prompt_ids_of(last)[-1] == "transfer-operator"
    assert (ReleaseHold(HOLD.hold_id) in last) is release
    assert call.hold is None


@pytest.mark.parametrize(
    ("events", "reason", "release"),
    [
        ([Keys("0")], v.REASON_OPERATOR_REQUEST, False),
        ([*events_to(State.SLOT_OFFER), Keys("0")], v.REASON_OPERATOR_REQUEST, True),
        ([Keys("7"), Keys("8"), Keys("9")], v.REASON_INVALID_INPUT, False),
        ([NoInput(), NoInput(), NoInput()], v.REASON_NO_INPUT, False),
        ([*events_to(State.SLOT_OFFER), NoInput(), NoInput(), NoInput()], v.REASON_NO_INPUT, True),
        ([*events_to(State.SEARCHING), NoSlotLeft()], v.REASON_NO_SLOTS, False),
        ([*events_to(State.LOADING_VISIT_TYPES), VisitTypesLoaded(())], v.REASON_NO_SLOTS, False),
        ([*events_to(State.HOLDING), IdentityLimitReached()], v.REASON_IDENTITY_LIMIT, False),
        ([*events_to(State.BOOKING), IdentityLimitReached()], v.REASON_IDENTITY_LIMIT, True),
        ([*events_to(State.LOOKUP), ServiceFailed("down")], v.REASON_SERVICE_ERROR, False),
        ([*events_to(State.SEARCHING), ServiceFailed("slow")], v.REASON_SERVICE_ERROR, False),
        ([*events_to(State.BOOKING), ServiceFailed("slow")], v.REASON_SERVICE_ERROR, True),
    ],
)
def test_every_fallout_reason_sets_the_variables_and_returns_to_the_dialplan(
    events: list[object], reason: str, release: bool
) -> None:
    _fallout_to(events, reason, release=release)


@pytest.mark.parametrize(
    ("reason", "apology"),
    [
        (v.REASON_NO_SLOTS, "no-slots"),
        (v.REASON_IDENTITY_LIMIT, "identity-limit"),
        (v.REASON_SERVICE_ERROR, "service-error"),
    ],
)
def test_a_fallout_for_a_fault_apologises_first(reason: str, apology: str) -> None:
    event = {
        v.REASON_NO_SLOTS: NoSlotLeft(),
        v.REASON_IDENTITY_LIMIT: IdentityLimitReached(),
        v.REASON_SERVICE_ERROR: ServiceFailed("x"),
    }[reason]
    state = State.HOLDING if reason == v.REASON_IDENTITY_LIMIT else State.SEARCHING
    _, steps = drive(machine(), [*events_to(state), event])
    assert prompt_ids_of(steps[-1]) == [apology, "transfer-operator"]


@pytest.mark.parametrize("state", MENU_STATES)
def test_zero_goes_to_an_operator_from_every_menu(state: State) -> None:
    _fallout_to(
        [*events_to(state), Keys("0")], v.REASON_OPERATOR_REQUEST, release=state is State.SLOT_OFFER
    )


@pytest.mark.parametrize(
    ("state", "back_to"),
    [
        (State.LANGUAGE, State.LANGUAGE),
        (State.REGION, State.LANGUAGE),
        (State.OFFICE, State.REGION),
        (State.VISIT_TYPE, State.OFFICE),
        (State.PASSPORT, State.VISIT_TYPE),
        (State.BIRTH_DATE, State.PASSPORT),
        (State.CONFIRM_IDENTITY, State.BIRTH_DATE),
        (State.SLOT_OFFER, State.CONFIRM_IDENTITY),
    ],
)
def test_star_goes_back_one_step(state: State, back_to: State) -> None:
    call, steps = drive(machine(), [*events_to(state), Keys("*")])
    assert call.state is back_to
    assert isinstance(steps[-1][-1], Ask)
    assert (ReleaseHold(HOLD.hold_id) in steps[-1]) is (state is State.SLOT_OFFER)
    assert call.hold is None


def test_invalid_and_no_input_have_separate_counters() -> None:
    flow = machine()
    call, steps = drive(flow, [Keys("9"), NoInput(), Keys("8"), NoInput()])
    assert call.state is State.LANGUAGE
    assert (call.invalid_inputs, call.no_inputs) == (2, 2)
    assert [prompt_ids_of(step)[0] for step in steps[1:]] == [
        "invalid-input",
        "no-input",
        "invalid-input",
        "no-input",
    ]
    call, _ = flow.step(call, Keys("2"))
    assert (call.invalid_inputs, call.no_inputs) == (0, 0)


def test_the_limits_are_configurable() -> None:
    call, _ = drive(machine(max_invalid_inputs=1), [Keys("9")])
    assert call.fallout_reason == v.REASON_INVALID_INPUT
    call, _ = drive(machine(max_no_inputs=5), [NoInput()] * 4)
    assert call.state is State.LANGUAGE
    call, _ = drive(machine(max_no_inputs=5), [NoInput()] * 5)
    assert call.fallout_reason == v.REASON_NO_INPUT


def test_a_wrong_birth_date_is_refused_with_its_own_prompt() -> None:
    call, steps = drive(machine(), [*events_to(State.BIRTH_DATE), Keys("31021990")])
    assert call.state is State.BIRTH_DATE and call.invalid_inputs == 1
    play, ask = steps[-1]
    assert play == Play((Prompt("birthdate-invalid", "en"),))
    assert isinstance(ask, Ask)
    assert ask.prompts == (Prompt("keys-help", "en"), Prompt("birthdate-prompt", "en"))


@pytest.mark.parametrize(
    ("digits", "expected"),
    [
        ("05011990", date(1990, 1, 5)),
        ("29022000", date(2000, 2, 29)),
        ("29021900", None),
        ("31041990", None),
        ("00011990", None),
        ("01131990", None),
        ("28112026", None),  # tomorrow
        ("27112026", date(2026, 11, 27)),
        ("01011899", None),
        ("0501199", None),
        ("050119901", None),
    ],
)
def test_birth_dates(digits: str, expected: date | None) -> None:
    assert parse_birth_date(digits, today=date(2026, 11, 27), earliest_year=1900) == expected


@pytest.mark.parametrize("digits", ["", "123", "1" * 21, "12*45"])
def test_a_passport_number_outside_the_limits_is_invalid(digits: str) -> None:
    call, steps = drive(machine(), [*events_to(State.PASSPORT), Keys(digits)])
    assert call.state is State.PASSPORT and call.invalid_inputs == 1
    assert prompt_ids_of(steps[-1]) == ["invalid-input", "keys-help", "passport-prompt"]


def test_two_at_the_readback_enters_the_identity_again() -> None:
    call, _ = drive(machine(), [*events_to(State.CONFIRM_IDENTITY), Keys("2")])
    assert call.state is State.PASSPORT and call.passport is None


def test_two_offers_the_next_slot_and_releases_the_hold() -> None:
    call, steps = drive(machine(), [*events_to(State.SLOT_OFFER), Keys("2")])
    assert call.state is State.SEARCHING and call.hold is None
    assert steps[-1] == (
        ReleaseHold("h-1"),
        FindSlot(office="praha-zukovskeho", visit_type="ltr-new", after=SLOT.starts_at),
    )


def test_three_offers_a_later_day_from_midnight_in_prague() -> None:
    _, steps = drive(machine(), [*events_to(State.SLOT_OFFER), Keys("3")])
    release, find = steps[-1]
    assert release == ReleaseHold("h-1")
    assert isinstance(find, FindSlot)
    assert find.after == datetime.fromisoformat("2026-12-02T00:00:00+01:00")


def test_a_slot_taken_before_the_hold_is_passed_over_silently() -> None:
    call, steps = drive(machine(), [*events_to(State.HOLDING), HoldRefused()])
    assert call.state is State.SEARCHING
    assert steps[-1] == (
        FindSlot(office="praha-zukovskeho", visit_type="ltr-new", after=SLOT.starts_at),
    )


def test_a_hold_lost_before_booking_searches_again_from_the_same_point() -> None:
    call, steps = drive(machine(), [*events_to(State.BOOKING), BookingRefused()])
    assert call.state is State.SEARCHING and call.hold is None
    assert steps[-1] == (
        Play((Prompt("slot-taken", "en"),)),
        FindSlot(office="praha-zukovskeho", visit_type="ltr-new", after=STARTED_AT),
    )


def test_a_caller_with_a_booking_hears_it_and_cancels_it() -> None:
    flow = machine()
    call, steps = drive(flow, [Keys("2"), BookingsFound((BOOKING,))])
    assert call.state is State.EXISTING_MENU
    assert prompt_ids_of(steps[-1]) == ["existing-booking", "keys-help", "existing-menu"]
    call, heard = flow.step(call, Keys("1"))
    spoken = prompt_ids_of(heard)
    assert spoken[0] == "your-booking"
    assert spoken[-2:] == ["office-praha-zukovskeho", "existing-menu"]
    call, confirm = flow.step(call, Keys("2"))
    assert prompt_ids_of(confirm) == ["cancel-confirm"]
    call, cancel = flow.step(call, Keys("1"))
    assert cancel == (CancelBooking(reference="47021382", caller_number=CALLER),)
    call, goodbye = flow.step(call, Cancelled(BOOKING))
    assert call.state is State.GOODBYE
    assert prompt_ids_of(goodbye) == ["booking-cancelled", "goodbye"]
    assert variables_of(goodbye)[v.IVR_RESULT] == "cancelled"
    assert goodbye[-1] == Hangup(result="cancelled")


def test_a_caller_with_a_booking_may_book_another() -> None:
    call, steps = drive(machine(), [Keys("3"), BookingsFound((BOOKING,)), Keys("3")])
    assert call.state is State.LOADING_OFFICES and steps[-1] == (FetchOffices(),)


def test_an_anonymous_caller_skips_the_booking_lookup() -> None:
    call, steps = drive(machine(), [Keys("1")], caller_number="")
    assert call.state is State.LOADING_OFFICES
    assert steps[-1] == (SetVariables(((v.CHANNEL_LANGUAGE, "cs"),)), FetchOffices())


@pytest.mark.parametrize("state", PATH_STATES)
def test_a_hangup_at_every_state_ends_the_call_and_releases_a_held_seat(state: State) -> None:
    call, steps = drive(machine(), [*events_to(state), CallerHungUp()])
    assert call.state is State.HUNG_UP and call.result == v.RESULT_HANGUP and call.hold is None
    held = state in (State.SLOT_OFFER, State.BOOKING)
    expected = (ReleaseHold("h-1"),) if held else ()
    assert steps[-1] == (*expected, ReturnToDialplan(result="hangup"))


@pytest.mark.parametrize("state", sorted(TERMINAL_STATES))
def test_a_hangup_after_the_end_changes_nothing(state: State) -> None:
    ending = {
        State.OPERATOR: [Keys("0")],
        State.GOODBYE: [*events_to(State.REFERENCE), NoInput()],
        State.HUNG_UP: [CallerHungUp()],
    }[state]
    call, _ = drive(machine(), ending)
    after, actions = machine().step(call, CallerHungUp())
    assert after == call and actions == ()


def test_an_event_the_table_does_not_expect_is_an_error() -> None:
    call, _ = drive(machine(), [])
    with pytest.raises(FlowError, match="can't handle HoldRefused in state language"):
        machine().step(call, HoldRefused())


def test_every_state_has_a_row_and_every_row_takes_a_hangup() -> None:
    assert set(TRANSITIONS) == set(State)
    assert all(CallerHungUp in row for row in TRANSITIONS.values())


def test_every_prompt_the_flow_plays_is_in_prompt_ids() -> None:
    played: set[str] = set()
    scenarios = [
        [*events_to(State.REFERENCE), Keys("1"), NoInput()],
        [Keys("9"), NoInput(), Keys("0")],
        [Keys("2"), BookingsFound((BOOKING,)), Keys("1"), Keys("2"), Keys("1"), Cancelled(BOOKING)],
        [*events_to(State.BIRTH_DATE), Keys("99999999")],
        [*events_to(State.BOOKING), BookingRefused(), NoSlotLeft()],
        [*events_to(State.HOLDING), IdentityLimitReached()],
        [*events_to(State.SEARCHING), ServiceFailed("x")],
    ]
    for events in scenarios:
        _, steps = drive(machine(), events)
        for actions in steps:
            played |= set(prompt_ids_of(actions))
    names = {"office-praha-zukovskeho", "visit-ltr-new", "visit-ltr-extension"} | {
        f"office-{code}" for code in ("praha-cigankova", "praha-kolbenova", "praha-hladkov")
    }
    known = prompt_ids(
        office_codes=[n.removeprefix("office-") for n in names if n.startswith("office-")],
        visit_type_codes=[code.code for code in VISIT_TYPES],
    )
    assert played - fragment_ids() <= known
    assert played & fragment_ids(), "dates, times, digits and references use speech fragments"
    assert {"slot-taken", "no-slots", "booking-cancelled", "birthdate-invalid"} <= played


def test_the_booking_request_keeps_the_identity_out_of_logs() -> None:
    _, steps = drive(machine(), events_to(State.BOOKING))
    (book,) = steps[-1]
    assert isinstance(book, Book) and book.passport_digits == "123456789"
    assert "123456789" not in repr(book) and "1990" not in repr(book)


# -- keys-help: what 0 and * do (issue 13) ---------------------------------------------------------


def _asks_with_keys_help(steps: list[tuple[object, ...]]) -> list[Ask]:
    return [
        action
        for actions in steps
        for action in actions
        if isinstance(action, Ask) and any(p.id == "keys-help" for p in action.prompts)
    ]


def test_keys_help_is_said_once_per_call_at_the_first_menu_after_the_language() -> None:
    _, steps = drive(machine(), events_to(State.REFERENCE))
    (ask,) = _asks_with_keys_help(steps)  # interruptible: an expert keys through it
    assert [p.id for p in ask.prompts] == ["keys-help", "region-menu"]
    assert ask.prompts[0].language == "en"
    assert sum(prompt_ids_of(actions).count("keys-help") for actions in steps) == 1


def test_keys_help_is_not_said_again_after_going_back_to_the_language() -> None:
    events = [*events_to(State.REGION), Keys("*"), Keys("3"), BookingsFound(())]
    call, steps = drive(machine(), events)
    assert call.state is State.REGION and call.language == "uk"
    assert len(_asks_with_keys_help(steps)) == 1


def test_a_caller_sent_back_by_the_dialplan_is_not_told_again() -> None:
    _, steps = drive(
        machine(), [BookingsFound(()), OfficesLoaded(OFFICES)], language_on_channel="en"
    )
    assert "keys-help" not in prompt_ids_of(steps[-1])


@pytest.mark.parametrize("state", [s for s in MENU_STATES if s is not State.LANGUAGE])
@pytest.mark.parametrize("event", [Keys("7"), NoInput()])
def test_every_reprompt_after_a_wrong_key_or_silence_explains_the_keys(
    state: State, event: object
) -> None:
    call, steps = drive(machine(), [*events_to(state), event])  # type: ignore[list-item]
    assert call.state is state
    apology = "no-input" if isinstance(event, NoInput) else (
        "birthdate-invalid" if state is State.BIRTH_DATE else "invalid-input")
    spoken = prompt_ids_of(steps[-1])
    assert spoken[:2] == [apology, "keys-help"]
    (ask,) = _asks_with_keys_help([steps[-1]])  # interruptible by the keys it explains
    assert "*" in ask.keys and "0" in ask.keys


def test_the_language_menu_reprompt_has_no_keys_help() -> None:
    _, steps = drive(machine(), [Keys("9"), NoInput()])
    assert all("keys-help" not in prompt_ids_of(actions) for actions in steps)
