"""The words of the flow's declarative specs: what a menu says and what each of its keys does,
what a waiting state asks of the slot service and which answers it takes.

A spec is data. :mod:`ivr.flow.menus` writes one per state; :mod:`ivr.flow.machine` builds the
transition table from them; :class:`ivr.flow.voice.Voice` builds each ``Ask`` (its prompts, its
valid keys, its timeouts) from them; :mod:`ivr.flow.table` prints them for docs/call-flow.md.

Where a key's meaning needs code (a choice among options the slot service sent, a digit entry to
check, a search from a moment), the spec names a :class:`Decision`: a function of the machine and
the call that returns the next step, and the states it may lead to (for the printed table; a
test checks that every step lands in a state its spec declares).

Nothing here raises.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ivr.flow.actions import Action, Prompt, ServiceRequest
from ivr.flow.call import Call, State
from ivr.flow.settings import FlowSettings

if TYPE_CHECKING:
    from ivr.flow.machine import Machine
    from ivr.flow.voice import Voice

Step = tuple[Call, tuple[Action, ...]]


@dataclass(frozen=True)
class Decision:
    """A named step that needs code: ``run(machine, call, *what)`` → the next step, or None
    when the caller's answer is not valid here (the menu's refusal follows)."""

    run: Callable[..., Step | None]
    leads_to: tuple[State, ...]
    label: str | None = None  # for the table; else the function's name

    @property
    def name(self) -> str:
        return self.label or self.run.__name__.strip("_").replace("_", " ")


Target = State | Decision
"""Where a key leads: a state (entered as it is) or a decision."""


@dataclass(frozen=True)
class Spoken:
    """A part of a menu that depends on the call (options, a date, digits read back)."""

    name: str
    render: Callable[[Voice, Call], tuple[Prompt, ...]]
    ids: frozenset[str] = frozenset()  # the catalog ids it may play besides speech fragments


Say = str | Spoken
"""A prompt id of the catalog, said in the caller's language, or a spoken part."""


@dataclass(frozen=True)
class Options:
    """Keys 1, 2, … for the options of ``of(call)`` (at most nine); ``chosen`` gets the option."""

    what: str
    of: Callable[[Call], Sequence[Any]]
    chosen: Decision


@dataclass(frozen=True)
class Digits:
    """A number keyed digit by digit and ended with ``#``; ``accept`` gets the digits."""

    what: str
    max_digits: Callable[[FlowSettings], int]
    accept: Decision


@dataclass(frozen=True)
class Menu:
    """A state that asks the caller. ``0`` (operator) and ``*`` (to ``back``; None: this menu
    again) are common to every menu and handled by the machine."""

    state: State
    says: tuple[Say, ...]
    keys: Mapping[str, Target] = field(default_factory=dict)
    options: Options | None = None
    digits: Digits | None = None
    back: State | None = None
    otherwise: Target | None = None  # any other key; None: ``refusal`` and the menu again
    silence: Target | None = None  # no key; None: ``no-input`` and the menu again
    refusal: str = "invalid-input"
    explains_keys: bool = True  # keys-help before its prompts after a wrong key or silence


@dataclass(frozen=True)
class Waiting:
    """A state that waits for the slot service: ``request(machine, call)`` is sent when the call
    enters it, and ``answers`` say what each answer leads to. The machine adds the answers every
    waiting state takes (``ServiceFailed`` → operator, ``CallerHungUp``)."""

    state: State
    request: Callable[[Machine, Call], ServiceRequest]
    answers: Mapping[type, Decision]


Spec = Menu | Waiting
Specs = Mapping[State, Spec]
