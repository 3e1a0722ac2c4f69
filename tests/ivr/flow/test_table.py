"""The printed transition table: docs/call-flow.md is current, and the machine goes only where
the specs declare."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.flow.call import Call, FlowError, State
from ivr.flow.events import (
    BookingRefused,
    BookingsFound,
    CallerHungUp,
    Cancelled,
    Event,
    HoldRefused,
    IdentityLimitReached,
    Keys,
    NoInput,
    NoSlotLeft,
    OfficesLoaded,
    ServiceFailed,
    VisitTypesLoaded,
)
from ivr.flow.machine import Machine
from ivr.flow.table import BEGIN, END, main, render, successors, with_table
from tests.ivr.flow.support import BOOKING, OFFICES, PATH, drive, events_to, machine

PAGE = Path(__file__).resolve().parents[3] / "docs" / "call-flow.md"


def test_docs_call_flow_has_the_current_table() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert with_table(page) == page, "run: python -m ivr.flow.table --write docs/call-flow.md"


def test_write_replaces_only_the_table(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"# before\n{BEGIN}\nold\n{END}\nafter\n", encoding="utf-8")
    assert main(["--write", str(page)]) == 0
    assert page.read_text(encoding="utf-8") == f"# before\n{BEGIN}\n{render()}\n{END}\nafter\n"
    page.write_text("no markers", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        main(["--write", str(page)])


def test_every_state_is_in_the_table() -> None:
    table = render()
    assert all(f"| `{state.value}` |" in table for state in State
               if state not in (State.STARTING, State.NOTICE_STARTING, State.GOODBYE,
                                State.OPERATOR, State.HUNG_UP))


PROBES: list[Event] = [
    Keys("0"), Keys("*"), Keys("1"), Keys("2"), Keys("3"), Keys("7"), Keys("#"), Keys(""),
    Keys("123456789"), Keys("05011990"), NoInput(), CallerHungUp(), ServiceFailed("x"),
    BookingsFound(()), BookingsFound((BOOKING,)), OfficesLoaded(()), OfficesLoaded(OFFICES),
    VisitTypesLoaded(()), NoSlotLeft(), HoldRefused(), BookingRefused(),
    IdentityLimitReached(), Cancelled(BOOKING),
]
PREFIXES = [
    [],
    *(events_to(state) for state, _ in PATH),
    [Keys("2"), BookingsFound((BOOKING,))],
    [Keys("2"), BookingsFound((BOOKING,)), Keys("2")],
    [Keys("2"), BookingsFound((BOOKING,)), Keys("2"), Keys("1")],
]


def _step(flow: Machine, call: Call, event: Event) -> Call | None:
    try:
        after, _ = flow.step(call, event)
    except FlowError:
        return None  # the table does not take this event here
    return after


@pytest.mark.parametrize("prefix", PREFIXES, ids=lambda events: str(len(events)))
def test_the_machine_goes_only_where_the_specs_say(prefix: list[Event]) -> None:
    flow = machine()
    call, _ = drive(flow, prefix)
    taken = 0
    for event in PROBES:
        after = _step(flow, call, event)
        if after is None:
            continue
        taken += 1
        assert after.state in successors(call.state), (call.state, event, after.state)
        for again in PROBES:  # one more step from there
            beyond = _step(flow, after, again)
            if beyond is not None:
                assert beyond.state in successors(after.state), (after.state, again)
    assert taken, f"no probe is taken in {call.state}"
