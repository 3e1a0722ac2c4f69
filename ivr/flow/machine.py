"""The booking call flow as a pure state machine: one table, no I/O, no clock, no awaits.

h11's rule applies: every transition is in the table ``TRANSITIONS`` (state → event type →
handler), and the table is built here from the specs of :mod:`ivr.flow.menus`, one per state,
so it can be read, and printed, as data (docs/call-flow.md, ``python -m ivr.flow.table``). The
machine answers each event with a new immutable :class:`Call` and a tuple of actions
(:mod:`ivr.flow.actions`); :mod:`ivr.flow.runner` performs them and feeds the answers back as
events (:mod:`ivr.flow.events`). The key-by-key contract is docs/architecture.md.

Rules common to every menu, applied here and nowhere else: ``0`` → operator (operator-request),
``*`` → back to the spec's ``back`` (releasing a held seat); a wrong key → the spec's refusal
(``invalid-input``) and the menu again, silence → ``no-input`` and the menu again, each with its
own counter (``FlowSettings.max_invalid_inputs`` / ``max_no_inputs``), reaching either limit
hands the caller to an operator; a valid answer resets both counters. After a wrong key or
silence the menu is said again after ``keys-help`` (what 0 and * do); the first menu after the
language is chosen starts with it too, once per call. Every waiting state takes
``ServiceFailed`` (apology, operator) and every state takes ``CallerHungUp``.

Exceptions::

    FlowError   an event the table does not expect in the current state (a runner bug)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, Final, cast

from ivr.flow import steps
from ivr.flow import variables as v
from ivr.flow.actions import Action, Prompt, ReadVariable
from ivr.flow.call import TERMINAL_STATES, Call, FlowError, Speaker, State
from ivr.flow.events import CallerHungUp, Keys, NoInput, ServiceFailed, VariableRead
from ivr.flow.menus import NOTICE_START, OPERATOR_REQUEST, SERVICE_FAILED, SPECS, START
from ivr.flow.settings import FlowSettings
from ivr.flow.spec import Menu, Step, Target, Waiting
from ivr.flow.voice import BACK_KEY, OPERATOR_KEY, Voice, choose

Handler = Callable[["Machine", Call, Any], Step]


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

    def start_notice(self, *, call_id: str, caller_number: str, started_at: datetime) -> Step:
        """An outbound notice (:mod:`ivr.flow.notice`) first reads ``IVR_NOTICE``: which
        booking, which number, which kind of notice."""
        call = Call(
            state=State.NOTICE_STARTING,
            call_id=call_id,
            caller_number=caller_number,
            started_at=started_at,
        )
        return call, (ReadVariable(v.IVR_NOTICE),)

    def step(self, call: Call, event: object) -> Step:
        handler = TRANSITIONS[call.state].get(type(event))
        if handler is None:
            raise FlowError(f"can't handle {type(event).__name__} in state {call.state}")
        return handler(self, call, event)

    # -- moving to a state (the steps of ivr.flow.steps call these) -------------------------

    def enter(
        self, call: Call, state: State, preface: tuple[Prompt, ...] = (), **changes: Any
    ) -> Step:
        """Move to a menu after a valid answer: the counters start again."""
        menu = _menu(state)
        entered = replace(call, state=state, invalid_inputs=0, no_inputs=0, **changes)
        explain = menu.explains_keys and not entered.keys_explained
        if explain:
            entered = replace(entered, keys_explained=True)
        return entered, self.voice.ask(entered, menu, preface, explain=explain)

    def wait(
        self, call: Call, state: State, before: tuple[Action, ...] = (), **changes: Any
    ) -> Step:
        """Move to a state that waits for the slot service: its spec's request goes last."""
        spec = SPECS[state]
        if not isinstance(spec, Waiting):
            raise FlowError(f"state {state} waits for nothing")
        moved = replace(call, state=state, invalid_inputs=0, no_inputs=0, **changes)
        return moved, (*before, spec.request(self, moved))

    def follow(self, call: Call, target: Target) -> Step:
        if isinstance(target, State):
            return self.enter(call, target) if target in MENU_STATES else self.wait(call, target)
        step = target.run(self, call)
        assert step is not None, f"{target.name} decides for every call"
        return step


def _menu(state: State) -> Menu:
    spec = SPECS.get(state)
    if not isinstance(spec, Menu):
        raise FlowError(f"state {state} asks nothing")
    return spec


# -- the rules common to every menu ---------------------------------------------------------------


def _answer(machine: Machine, call: Call, menu: Menu, digits: str) -> Step | None:
    target = menu.keys.get(digits)
    if target is not None:
        return machine.follow(call, target)
    if menu.options is not None:
        option = choose(menu.options.of(call), digits)
        if option is not None:
            return menu.options.chosen.run(machine, call, option)
    if menu.digits is not None:
        return menu.digits.accept.run(machine, call, digits)
    if menu.otherwise is not None:
        return machine.follow(call, menu.otherwise)
    return None


def _again(machine: Machine, call: Call, menu: Menu, apology: str) -> Step:
    preface = machine.voice.prompts(call, apology)
    return call, machine.voice.ask(call, menu, preface, explain=menu.explains_keys)


def _keys_row(menu: Menu) -> Handler:
    def keys(machine: Machine, call: Call, event: Keys) -> Step:
        digits = event.digits
        if digits == OPERATOR_KEY:
            return machine.follow(call, OPERATOR_REQUEST)
        if digits.startswith(BACK_KEY):
            return _back(machine, call, menu.back)
        answer = _answer(machine, call, menu, digits)
        if answer is not None:
            return answer
        count = call.invalid_inputs + 1
        if count >= machine.settings.max_invalid_inputs:
            return steps.fallout(machine, call, v.REASON_INVALID_INPUT)
        return _again(machine, replace(call, invalid_inputs=count), menu, menu.refusal)

    return keys


def _silence_row(menu: Menu) -> Handler:
    def silence(machine: Machine, call: Call, event: NoInput) -> Step:
        if menu.silence is not None:
            return machine.follow(call, menu.silence)
        count = call.no_inputs + 1
        if count >= machine.settings.max_no_inputs:
            return steps.fallout(machine, call, v.REASON_NO_INPUT)
        return _again(machine, replace(call, no_inputs=count), menu, "no-input")

    return silence


def _back(machine: Machine, call: Call, back: State | None) -> Step:
    if back is None:
        return machine.enter(call, call.state)
    entered, actions = machine.enter(replace(call, hold=None), back)
    return entered, (*steps.release(call), *actions)


# -- THE table ------------------------------------------------------------------------------------


def _row(state: State) -> dict[type, Handler]:
    spec = SPECS.get(state)
    if isinstance(spec, Menu):
        return {Keys: _keys_row(spec), NoInput: _silence_row(spec), CallerHungUp: steps.hung_up}
    if isinstance(spec, Waiting):
        answers: dict[type, Handler] = {
            event: cast(Handler, decision.run) for event, decision in spec.answers.items()
        }
        service_failed = cast(Handler, SERVICE_FAILED.run)
        return {**answers, ServiceFailed: service_failed, CallerHungUp: steps.hung_up}
    if state in TERMINAL_STATES:
        return {CallerHungUp: steps.already_ended}
    if state is State.STARTING:
        return {VariableRead: cast(Handler, START.run), CallerHungUp: steps.hung_up}
    if state is State.NOTICE_STARTING:
        return {VariableRead: cast(Handler, NOTICE_START.run), CallerHungUp: steps.hung_up}
    raise FlowError(f"state {state} has no spec")


MENU_STATES: Final = frozenset(state for state, spec in SPECS.items() if isinstance(spec, Menu))
TRANSITIONS: Final[Mapping[State, Mapping[type, Handler]]] = {state: _row(state) for state in State}
