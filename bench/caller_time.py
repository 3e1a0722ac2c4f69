"""Caller time: the seconds of prompt audio a caller hears from answer to confirmed booking.

Issue 3's targets: an expert who keys ahead hears at most 30 s, a first-time caller who listens
to everything at most 120 s, in every language (the worst language is the figure).

The figures come from the real flow, not from a list of prompts kept by hand: the pure state
machine (:class:`ivr.flow.machine.Machine`, default :class:`ivr.flow.settings.FlowSettings`, the
real speech module) is driven event by event, without sockets, with the slot service's answers
built from the seed data (``api/seed/seed.toml``), and every prompt of every ``Play`` and
``Ask`` it returns is looked up in the built prompts' manifest
(``prompts.manifest.Manifest.duration_s``, padding included).

The call (typical inputs): language key of the caller's language; no earlier booking; region 1
(Prague); office 1 (Žukovského); the visit type in the LAST position of Žukovského's menu
(the worst one for a caller who listens to the menu); passport of 9 digits + ``#``; a birth date;
``1`` (correct); the earliest slot, a weekday morning, accepted with ``1``; the booking
reference read out; goodbye.

The two callers, per ``Ask`` (an interruptible menu; a key ends it at once):

- **first time**: hears every prompt of every ``Ask`` to the end, then keys; at the reference
  read-out he hears everything (the reference twice and ``reference-menu``) and then stays
  silent, which the flow answers with the goodbye.
- **expert**: keys at the first moment he can decide, and hears only the information he has to
  check: nothing of the language, region, office and visit-type menus nor of the passport and
  birth-date questions (he keys through each at once); of the read-back, of the slot offer and
  of the reference read-out he hears every prompt before the first menu instruction
  (``EXPERT_STOPS``: ``confirm-menu``, ``slot-menu``, ``reference-again``), i.e. his passport
  digits and birth date, the slot's weekday, date, time and office, and the reference once;
  then he keys ``1``, ``1`` and ``#``.
- Both hear every ``Play`` (``searching``, ``goodbye``) in full: the flow makes them not
  interruptible.

Silences (timeouts, the caller thinking, the slot service's latency) are not prompt audio and
are not counted.

Written by hand because it is this project's flow and manifest; no library knows either.

Exceptions: ``prompts.catalog.UnknownPromptError`` (LookupError) for a prompt the manifest has
not got (build the prompts first: ``make prompts``); ``CallerTimeError`` for a flow that does not
end in a booking with these inputs.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Final

from ivr.flow.actions import Action, Ask, Play, Prompt
from ivr.flow.call import Call, State
from ivr.flow.events import (
    Booked,
    BookingsFound,
    Event,
    HoldPlaced,
    Keys,
    NoInput,
    OfficesLoaded,
    SlotFound,
    VariableRead,
    VisitTypesLoaded,
)
from ivr.flow.machine import Machine
from ivr.flow.settings import LANGUAGES, REGIONS, FlowSettings
from ivr.flow.variables import IVR_LANGUAGE
from ivr.slots.models import Booking, Hold, Office, Slot, VisitType
from ivr.speech import speaker_for
from prompts.manifest import Manifest

ROOT: Final = Path(__file__).resolve().parent.parent
SEED_PATH: Final = ROOT / "api" / "seed" / "seed.toml"
SOUNDS_DIR: Final = ROOT / "build" / "sounds"

EXPERT_TARGET_S: Final = 30.0
FIRST_TIME_TARGET_S: Final = 120.0

REGION: Final = "praha"
OFFICE: Final = "praha-zukovskeho"
PASSPORT: Final = "123456789"
BIRTH_DATE: Final = date(1985, 3, 15)
STARTED_AT: Final = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday
SLOT_STARTS_AT: Final = datetime.fromisoformat("2026-12-02T09:30:00+01:00")  # a Wednesday
REFERENCE: Final = "47021382"
CALLER_NUMBER: Final = "+420777123456"

# the first prompt of an Ask the expert no longer needs: he keys there
EXPERT_STOPS: Final = frozenset({"confirm-menu", "slot-menu", "reference-again"})


class CallerTimeError(RuntimeError):
    """The flow did not take the scripted caller to a booking."""


@dataclass(frozen=True)
class Seed:
    """The offices and visit types the slot service would return (its seed data)."""

    offices: tuple[Office, ...]
    visit_types: dict[str, tuple[VisitType, ...]]  # per office, in menu order

    @classmethod
    def load(cls, path: Path = SEED_PATH) -> Seed:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
        offices = tuple(
            Office(
                code=row["code"], region=row["region"], names=row["names"],
                address=row["address"], active=True, menu_order=row["menu_order"],
            )
            for row in document["offices"]
        )
        kinds = {
            row["code"]: (row["menu_order"], VisitType(
                code=row["code"], names=row["names"], duration_minutes=row["duration_minutes"]
            ))
            for row in document["visit_types"]
        }
        per_office = {
            row["code"]: tuple(
                kind for _, kind in sorted(kinds[code] for code in row["visit_types"])
            )
            for row in document["offices"]
        }
        return cls(offices=offices, visit_types=per_office)


# how long the caller listens to an Ask: the prompts he hears of it, from its prompt list
Listener = Callable[[Ask], tuple[Prompt, ...]]


def first_time_listener(ask: Ask) -> tuple[Prompt, ...]:
    return ask.prompts


def expert_listener(ask: Ask) -> tuple[Prompt, ...]:
    heard: list[Prompt] = []
    for prompt in ask.prompts:
        if prompt.id in EXPERT_STOPS:
            return tuple(heard)
        heard.append(prompt)
    return ()  # no information in this Ask (a menu or a question): keyed through at once


@dataclass(frozen=True)
class CallerTime:
    """Seconds of prompt audio one scripted caller hears, and the prompts behind them."""

    seconds: float
    prompts: tuple[Prompt, ...]


def _heard(actions: Iterable[Action], listener: Listener) -> list[Prompt]:
    heard: list[Prompt] = []
    for action in actions:
        if isinstance(action, Play):
            heard.extend(action.prompts)
        elif isinstance(action, Ask):
            heard.extend(listener(action))
    return heard


def _key_of(code: str, codes: Iterable[str]) -> str:
    return str(list(codes).index(code) + 1)


def heard_prompts(
    *, language: str, listener: Listener, seed: Seed, settings: FlowSettings | None = None
) -> tuple[Prompt, ...]:
    """Drive the real flow through a booking in ``language``; the prompts ``listener`` hears."""
    flow = Machine(settings=settings or FlowSettings(), speakers=speaker_for)
    visit_types = seed.visit_types[OFFICE]
    office = next(office for office in seed.offices if office.code == OFFICE)
    region_offices = [o.code for o in sorted(seed.offices, key=lambda o: o.menu_order)
                      if o.region == REGION]
    visit = visit_types[-1]  # the worst position of the menu
    slot = Slot(
        slot_id=1, office=office.code, visit_type=visit.code, starts_at=SLOT_STARTS_AT,
        ends_at=SLOT_STARTS_AT + timedelta(minutes=visit.duration_minutes), free_seats=1,
    )
    hold = Hold(hold_id="h-1", slot_id=1, expires_at=SLOT_STARTS_AT)
    booking = Booking(
        reference=REFERENCE, office=office.code, visit_type=visit.code, slot_id=1,
        starts_at=SLOT_STARTS_AT, status="active", channel="phone",
        caller_number=CALLER_NUMBER, language=language,
    )
    script: list[Event] = [
        Keys(_key_of(language, LANGUAGES)),
        BookingsFound(()),
        OfficesLoaded(seed.offices),
        Keys(_key_of(REGION, REGIONS)),
        Keys(_key_of(office.code, region_offices)),
        VisitTypesLoaded(visit_types),
        Keys(_key_of(visit.code, [kind.code for kind in visit_types])),
        Keys(PASSPORT),
        Keys(BIRTH_DATE.strftime("%d%m%Y")),
        Keys("1"),
        SlotFound(slot),
        HoldPlaced(hold),
        Keys("1"),
        Booked(booking),
        NoInput() if listener is first_time_listener else Keys(""),  # silence, or "#"
    ]
    call: Call
    call, _ = flow.start(call_id="caller-time", caller_number=CALLER_NUMBER,
                         started_at=STARTED_AT)
    call, actions = flow.step(call, VariableRead(IVR_LANGUAGE, None))
    heard = _heard(actions, listener)
    for event in script:
        call, actions = flow.step(call, event)
        heard.extend(_heard(actions, listener))
    if call.state is not State.GOODBYE or call.result != "booked":
        raise CallerTimeError(f"the flow ended in {call.state} ({call.result}), not a booking")
    return tuple(heard)


def caller_time(
    manifest: Manifest, *, language: str, listener: Listener, seed: Seed
) -> CallerTime:
    prompts = heard_prompts(language=language, listener=listener, seed=seed)
    seconds = sum(manifest.duration_s(prompt.id, prompt.language) for prompt in prompts)
    return CallerTime(seconds=round(seconds, 2), prompts=prompts)


def caller_times(manifest: Manifest, *, seed: Seed | None = None) -> dict[str, object]:
    """Both figures per language and the worst language's, as the benchmark's JSON keys:
    ``expert_seconds``, ``first_time_seconds`` (the worst language), ``*_language`` (which),
    ``per_language`` ({language: {expert_seconds, first_time_seconds}})."""
    seed = seed or Seed.load()
    per_language = {
        language: {
            "expert_seconds": caller_time(
                manifest, language=language, listener=expert_listener, seed=seed).seconds,
            "first_time_seconds": caller_time(
                manifest, language=language, listener=first_time_listener, seed=seed).seconds,
        }
        for language in LANGUAGES
    }
    worst_expert = max(per_language, key=lambda lang: per_language[lang]["expert_seconds"])
    worst_first = max(per_language, key=lambda lang: per_language[lang]["first_time_seconds"])
    return {
        "expert_seconds": per_language[worst_expert]["expert_seconds"],
        "expert_language": worst_expert,
        "first_time_seconds": per_language[worst_first]["first_time_seconds"],
        "first_time_language": worst_first,
        "per_language": per_language,
    }


def main(argv: list[str] | None = None) -> int:
    """Print a table per language and one JSON line; exit 1 when a target is missed."""
    arguments = sys.argv[1:] if argv is None else argv
    sounds = Path(arguments[0]) if arguments else SOUNDS_DIR
    figures = caller_times(Manifest.load(sounds))
    per_language = figures["per_language"]
    assert isinstance(per_language, dict)
    print(f"{'language':<10}{'expert s':>10}{'first-time s':>14}")
    for language, row in per_language.items():
        print(f"{language:<10}{row['expert_seconds']:>10.1f}{row['first_time_seconds']:>14.1f}")
    print(f"targets: expert <= {EXPERT_TARGET_S:.0f} s, first time <= {FIRST_TIME_TARGET_S:.0f} s")
    print(json.dumps(figures, sort_keys=True))
    expert, first_time = figures["expert_seconds"], figures["first_time_seconds"]
    assert isinstance(expert, float) and isinstance(first_time, float)
    return 0 if expert <= EXPERT_TARGET_S and first_time <= FIRST_TIME_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
