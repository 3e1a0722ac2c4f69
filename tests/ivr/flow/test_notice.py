"""The notice mode of the flow (outbound reminders and closure notices): its states, keys,
requests and endings, on the pure machine."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from ivr.flow.actions import (
    Action,
    Ask,
    CancelBooking,
    FindBooking,
    FindSlot,
    Hangup,
    HoldSlot,
    OptOut,
    ReadVariable,
    Rebook,
    ReleaseHold,
    ReturnToDialplan,
)
from ivr.flow.call import Call, State
from ivr.flow.events import (
    Booked,
    BookingLoaded,
    BookingRefused,
    Cancelled,
    Event,
    HoldPlaced,
    Keys,
    NoSlotLeft,
    OptedOut,
    SlotFound,
    VariableRead,
)
from ivr.flow.machine import Machine
from ivr.flow.notice import parse_notice
from ivr.flow.table import successors
from ivr.flow.variables import IVR_NOTICE
from tests.ivr.flow.support import (
    BOOKING,
    CALLER,
    HOLD,
    LATER_SLOT,
    SLOT,
    STARTED_AT,
    machine,
    prompt_ids_of,
    prompts_of,
    variables_of,
)

UKRAINIAN_BOOKING = BOOKING.model_copy(update={"language": "uk", "reference": "47021382"})
NEW_BOOKING = BOOKING.model_copy(update={"reference": "58132497", "slot_id": 42})


def notice(flow: Machine, value: str | None, events: Iterable[Event] = ()
           ) -> tuple[Call, list[tuple[Action, ...]]]:
    call, actions = flow.start_notice(call_id="n1", caller_number="", started_at=STARTED_AT)
    assert actions == (ReadVariable(IVR_NOTICE),)
    call, actions = flow.step(call, VariableRead(IVR_NOTICE, value))
    steps = [actions]
    for event in events:
        call, actions = flow.step(call, event)
        steps.append(actions)
    return call, steps


REMINDER = f"reminder 47021382 {CALLER}"
CLOSURE = f"closure-notice 47021382 {CALLER}"


def test_a_reminder_loads_the_booking_by_the_number_called_and_says_it_in_its_language(
) -> None:
    flow = machine()
    call, steps = notice(flow, REMINDER, [BookingLoaded(UKRAINIAN_BOOKING)])
    assert steps[0] == (FindBooking(reference="47021382", caller_number=CALLER),)
    assert call.state is State.NOTICE_REMINDER
    assert variables_of(steps[1]) == {"CHANNEL(language)": "uk", "IVR_LANGUAGE": "uk"}
    ask = steps[1][-1]
    assert isinstance(ask, Ask) and set("12390") <= set(ask.keys)
    ids = prompt_ids_of(steps[1])
    assert ids[:2] == ["notice-reminder", "your-booking"]
    assert ids[-3:] == ["slot-offer-office", "office-praha-zukovskeho", "notice-reminder-menu"]
    assert "keys-help" not in ids  # the menu names its own keys
    assert {prompt.language for prompt in prompts_of(steps[1])} == {"uk"}


def test_a_closure_notice_says_the_booking_was_cancelled_and_offers_to_rebook() -> None:
    call, steps = notice(machine(), CLOSURE, [BookingLoaded(BOOKING)])
    assert call.state is State.NOTICE_CLOSURE
    ids = prompt_ids_of(steps[1])
    assert ids[0] == "notice-closure"
    assert ids[-2:] == ["notice-closure-cancelled", "notice-closure-menu"]
    kept, _ = machine().step(call, Keys("1"))  # no booking left to keep: a wrong key
    assert kept.state is State.NOTICE_CLOSURE and kept.invalid_inputs == 1


def test_one_keeps_the_booking() -> None:
    call, steps = notice(machine(), REMINDER, [BookingLoaded(BOOKING), Keys("1")])
    assert (call.state, call.result) == (State.GOODBYE, "kept")
    assert prompt_ids_of(steps[-1]) == ["booking-kept", "goodbye"]
    assert variables_of(steps[-1])["IVR_RESULT"] == "kept"
    assert isinstance(steps[-1][-1], Hangup)


def test_two_cancels_the_booking() -> None:
    call, steps = notice(machine(), REMINDER, [BookingLoaded(BOOKING), Keys("2")])
    assert steps[-1][-1] == CancelBooking(reference="47021382", caller_number=CALLER)
    call, actions = machine().step(call, Cancelled(BOOKING))
    assert (call.state, call.result) == (State.GOODBYE, "cancelled")
    assert prompt_ids_of(actions) == ["booking-cancelled", "goodbye"]


def test_nine_opts_the_number_out() -> None:
    call, steps = notice(machine(), REMINDER, [BookingLoaded(BOOKING), Keys("9")])
    assert steps[-1][-1] == OptOut(caller_number=CALLER)
    call, actions = machine().step(call, OptedOut())
    assert (call.state, call.result) == (State.GOODBYE, "opted-out")
    assert prompt_ids_of(actions) == ["opted-out", "goodbye"]


def test_zero_hands_the_caller_to_an_operator_in_the_booking_language() -> None:
    call, steps = notice(machine(), REMINDER, [BookingLoaded(UKRAINIAN_BOOKING), Keys("0")])
    assert (call.state, call.fallout_reason) == (State.OPERATOR, "operator-request")
    assert variables_of(steps[-1])["IVR_LANGUAGE"] == "uk"
    assert isinstance(steps[-1][-1], ReturnToDialplan)


@pytest.mark.parametrize("value", [None, "", "reminder 47021382", "birthday 1 +420777123456",
                                   "reminder 47021382 777123456", "reminder a/b +420777"])
def test_a_malformed_notice_goes_to_an_operator(value: str | None) -> None:
    assert parse_notice(value) is None
    call, _ = notice(machine(), value)
    assert (call.state, call.fallout_reason) == (State.OPERATOR, "service-error")


def test_three_rebooks_at_once_with_the_same_identity_and_cancels_the_old_booking() -> None:
    flow = machine()
    call, steps = notice(flow, REMINDER, [BookingLoaded(BOOKING), Keys("3")])
    assert call.state is State.NOTICE_SEARCHING
    assert prompt_ids_of(steps[-1]) == ["searching"]
    assert steps[-1][-1] == FindSlot(office="praha-zukovskeho", visit_type="ltr-new",
                                     after=STARTED_AT)
    call, actions = flow.step(call, SlotFound(SLOT))
    assert actions[-1] == HoldSlot(slot_id=41, caller_number=CALLER, language="en")
    call, actions = flow.step(call, HoldPlaced(HOLD))
    assert call.state is State.NOTICE_SLOT_OFFER
    assert prompt_ids_of(actions)[0] == "slot-offer"
    call, actions = flow.step(call, Keys("1"))
    assert actions[-1] == Rebook(reference="47021382", hold_id="h-1", caller_number=CALLER,
                                 language="en", idempotency_key="n1-h-1")
    call, actions = flow.step(call, Booked(NEW_BOOKING))
    assert call.state is State.NOTICE_REFERENCE
    assert prompt_ids_of(actions)[0] == "booking-confirmed"
    call, actions = flow.step(call, Keys("#"))
    assert (call.state, call.result) == (State.GOODBYE, "rebooked")
    assert variables_of(actions)["IVR_NEW_REFERENCE"] == "58132497"
    assert variables_of(actions)["IVR_RESULT"] == "rebooked"


def test_the_offer_moves_on_and_a_taken_seat_searches_again() -> None:
    flow = machine()
    call, _ = notice(flow, REMINDER, [BookingLoaded(BOOKING), Keys("3"), SlotFound(SLOT),
                                      HoldPlaced(HOLD)])
    _, actions = flow.step(call, Keys("2"))
    assert actions[0] == ReleaseHold("h-1")
    assert actions[-1] == FindSlot(office="praha-zukovskeho", visit_type="ltr-new",
                                   after=SLOT.starts_at)
    booking, _ = flow.step(call, Keys("1"))
    again, actions = flow.step(booking, BookingRefused())
    assert again.state is State.NOTICE_SEARCHING
    assert prompt_ids_of(actions) == ["slot-taken"]
    offered, _ = flow.step(flow.step(again, SlotFound(LATER_SLOT))[0], HoldPlaced(HOLD))
    assert offered.state is State.NOTICE_SLOT_OFFER and offered.slot == LATER_SLOT


def test_no_slot_left_for_a_rebooking_goes_to_an_operator() -> None:
    call, _ = notice(machine(), CLOSURE, [BookingLoaded(BOOKING), Keys("3"), NoSlotLeft()])
    assert (call.state, call.fallout_reason) == (State.OPERATOR, "no-slots")


def test_every_notice_step_lands_where_its_spec_says() -> None:
    flow = machine()
    path: list[Event] = [BookingLoaded(BOOKING), Keys("3"), SlotFound(SLOT), HoldPlaced(HOLD),
                         Keys("1"), Booked(NEW_BOOKING), Keys("1"), Keys("#")]
    call, _ = flow.start_notice(call_id="n1", caller_number="", started_at=STARTED_AT)
    before = call
    call, _ = flow.step(call, VariableRead(IVR_NOTICE, REMINDER))
    assert call.state in successors(before.state)
    for event in path:
        before = call
        call, _ = flow.step(call, event)
        assert call.state in successors(before.state), (before.state, event, call.state)
    assert call.result == "rebooked"
