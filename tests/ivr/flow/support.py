"""Data and a driver shared by the flow tests: slot-service answers as the client gives them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from ivr.flow.actions import Action, Ask, Play, Prompt, ReadVariable, SetVariables
from ivr.flow.call import Call, State
from ivr.flow.events import (
    Booked,
    BookingsFound,
    Event,
    HoldPlaced,
    Keys,
    OfficesLoaded,
    SlotFound,
    VariableRead,
    VisitTypesLoaded,
)
from ivr.flow.machine import Machine
from ivr.flow.settings import FlowSettings
from ivr.flow.variables import IVR_LANGUAGE
from ivr.slots.models import Booking, Hold, Office, Slot, VisitType
from ivr.speech import speaker_for

STARTED_AT = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CALLER = "+420777123456"


def office(code: str, region: str, order: int, *, active: bool = True) -> Office:
    names = {language: code for language in ("cs", "en", "uk", "ru", "vi")}
    return Office(
        code=code, region=region, names=names, address="x", active=active, menu_order=order
    )


OFFICES = (
    office("praha-zukovskeho", "praha", 1),
    office("praha-cigankova", "praha", 2),
    office("praha-kolbenova", "praha", 3),
    office("praha-hladkov", "praha", 4),
    office("benesov", "stredocesky", 5),
    office("beroun", "stredocesky", 6),
    office("kladno", "stredocesky", 7, active=False),
)
VISIT_TYPES = (
    VisitType(code="ltr-new", names={}, duration_minutes=30),
    VisitType(code="ltr-extension", names={}, duration_minutes=20),
)
SLOT = Slot(
    slot_id=41,
    office="praha-zukovskeho",
    visit_type="ltr-new",
    starts_at=datetime.fromisoformat("2026-12-01T09:30:00+01:00"),
    ends_at=datetime.fromisoformat("2026-12-01T10:00:00+01:00"),
    free_seats=2,
)
LATER_SLOT = SLOT.model_copy(
    update={"slot_id": 42, "starts_at": datetime.fromisoformat("2026-12-01T10:00:00+01:00")}
)
HOLD = Hold(
    hold_id="h-1", slot_id=41, expires_at=datetime.fromisoformat("2026-11-27T10:05:00+01:00")
)
BOOKING = Booking(
    reference="47021382",
    office="praha-zukovskeho",
    visit_type="ltr-new",
    slot_id=41,
    starts_at=SLOT.starts_at,
    status="active",
    channel="phone",
    caller_number=CALLER,
    language="en",
)


def machine(**settings: object) -> Machine:
    return Machine(settings=FlowSettings(**settings), speakers=speaker_for)


def drive(
    flow: Machine,
    events: Iterable[Event],
    *,
    caller_number: str = CALLER,
    language_on_channel: str | None = None,
) -> tuple[Call, list[tuple[Action, ...]]]:
    """Start a call, answer its read of IVR_LANGUAGE, feed it events; return the last call and
    the actions of every step (the first: what the call does once it knows the channel)."""
    call, actions = flow.start(call_id="c1", caller_number=caller_number, started_at=STARTED_AT)
    assert actions == (ReadVariable(IVR_LANGUAGE),)
    call, actions = flow.step(call, VariableRead(IVR_LANGUAGE, language_on_channel))
    steps = [actions]
    for event in events:
        call, actions = flow.step(call, event)
        steps.append(actions)
    return call, steps


# Events that take an English caller to each state, in order (the first-time booking).
PATH: list[tuple[State, Event]] = [
    (State.LOOKUP, Keys("2")),
    (State.LOADING_OFFICES, BookingsFound(())),
    (State.REGION, OfficesLoaded(OFFICES)),
    (State.OFFICE, Keys("1")),
    (State.LOADING_VISIT_TYPES, Keys("1")),
    (State.VISIT_TYPE, VisitTypesLoaded(VISIT_TYPES)),
    (State.PASSPORT, Keys("1")),
    (State.BIRTH_DATE, Keys("123456789")),
    (State.CONFIRM_IDENTITY, Keys("05011990")),
    (State.SEARCHING, Keys("1")),
    (State.HOLDING, SlotFound(SLOT)),
    (State.SLOT_OFFER, HoldPlaced(HOLD)),
    (State.BOOKING, Keys("1")),
    (State.REFERENCE, Booked(BOOKING)),
]


def events_to(state: State) -> list[Event]:
    """The events of ``PATH`` up to (and including) the one that enters ``state``."""
    if state is State.LANGUAGE:
        return []
    events: list[Event] = []
    for reached, event in PATH:
        events.append(event)
        if reached is state:
            return events
    raise ValueError(f"{state} is not on the booking path")


def prompt_ids_of(actions: Iterable[Action]) -> list[str]:
    ids: list[str] = []
    for action in actions:
        if isinstance(action, Play | Ask):
            ids.extend(prompt.id for prompt in action.prompts)
    return ids


def prompts_of(actions: Iterable[Action]) -> list[Prompt]:
    found: list[Prompt] = []
    for action in actions:
        if isinstance(action, Play | Ask):
            found.extend(action.prompts)
    return found


def variables_of(actions: Iterable[Action]) -> dict[str, str]:
    values: dict[str, str] = {}
    for action in actions:
        if isinstance(action, SetVariables):
            values.update(action.values)
    return values
