"""What a menu sounds like: a :class:`Voice` turns a menu's spec (:mod:`ivr.flow.spec`) into the
``Ask`` the caller hears, in the call's language, with the settings' timeouts.

Prompts are catalog ids played as ``L/ivr/<id>``; dates, times, digits and references come from
the speech module's fragments. A menu of single keys is one ``Ask`` (its preface, keys-help when
asked for, its prompts); a number entry plays its preface (an apology) first, not interruptible,
then an ``Ask`` of keys-help (when asked for) and its question.

Errors: ``FlowError`` (from :mod:`ivr.flow.call`) for a spec that is not a menu; the speech
module's ``SpeechError`` for a value it cannot say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from itertools import repeat
from typing import Final
from zoneinfo import ZoneInfo

from ivr.flow.actions import DIGIT_KEYS, Action, Ask, Play, Prompt
from ivr.flow.call import Call, Speaker
from ivr.flow.settings import FlowSettings
from ivr.flow.spec import Menu, Say

MAX_MENU_OPTIONS: Final = 9
OPERATOR_KEY: Final = "0"
BACK_KEY: Final = "*"
END_KEY: Final = "#"
KEYS_HELP: Final = "keys-help"


class Voice:
    """The prompts of a call, in its language, with the settings' timeouts."""

    def __init__(self, *, settings: FlowSettings, speakers: Callable[[str], Speaker]) -> None:
        self.settings = settings
        self.speakers = speakers
        self.zone = ZoneInfo(settings.timezone)

    def language(self, call: Call) -> str:
        return call.language or self.settings.default_language

    def speaker(self, call: Call) -> Speaker:
        return self.speakers(self.language(call))

    def prompts(self, call: Call, *ids: str) -> tuple[Prompt, ...]:
        return tuple(map(prompt, ids, repeat(self.language(call))))

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone)

    def when(self, call: Call, moment: datetime) -> tuple[Prompt, ...]:
        """Weekday, date and time of a slot, in the office's time zone."""
        local = self.local(moment)
        speaker = self.speaker(call)
        ids = [
            *speaker.weekday(local.date()),
            *speaker.date(local.date()),
            *speaker.time(local.time().replace(second=0, microsecond=0)),
        ]
        return self.prompts(call, *ids)

    def options(self, call: Call, codes: Sequence[str], prefix: str) -> tuple[Prompt, ...]:
        """``<prefix>-<code>`` and its key (``option-<n>``) for each of the first nine codes."""
        spoken: list[Prompt] = []
        for number, code in enumerate(codes[:MAX_MENU_OPTIONS], start=1):
            spoken.extend(self.prompts(call, f"{prefix}-{code}", f"option-{number}"))
        return tuple(spoken)

    def say(self, call: Call, parts: Sequence[Say]) -> tuple[Prompt, ...]:
        spoken: list[Prompt] = []
        for part in parts:
            if isinstance(part, str):
                spoken.extend(self.prompts(call, part))
            else:
                spoken.extend(part.render(self, call))
        return tuple(spoken)

    def ask(
        self, call: Call, menu: Menu, preface: tuple[Prompt, ...] = (), *, explain: bool = False
    ) -> tuple[Action, ...]:
        """``menu`` as the caller hears it after ``preface``; keys-help right before the menu's
        own prompts when ``explain``."""
        keys_help = self.prompts(call, KEYS_HELP) if explain else ()
        spoken = (*keys_help, *self.say(call, menu.says))
        if menu.digits is None:
            return (
                Ask(
                    prompts=(*preface, *spoken),
                    keys=menu_keys(call, menu) + OPERATOR_KEY + BACK_KEY,
                    max_digits=1,
                    first_digit_timeout_ms=self.settings.menu_timeout_ms,
                    # unused (one key), but the channel's TIMEOUT(digit) need not change
                    inter_digit_timeout_ms=self.settings.inter_digit_timeout_ms,
                ),
            )
        ask = Ask(
            prompts=spoken,
            keys=DIGIT_KEYS + BACK_KEY + END_KEY,
            max_digits=menu.digits.max_digits(self.settings),
            first_digit_timeout_ms=self.settings.first_digit_timeout_ms,
            inter_digit_timeout_ms=self.settings.inter_digit_timeout_ms,
        )
        return (Play(preface), ask) if preface else (ask,)


@lru_cache(maxsize=8192)
def prompt(prompt_id: str, language: str) -> Prompt:
    """The one ``Prompt`` of an id in a language: a call plays about ninety, built anew each time
    they cost a fifth of the machine's CPU per call. The ids are the catalog's (fragments, menus,
    office and visit-type names): a few thousand at most, all of them fit."""
    return Prompt(prompt_id, language)


def menu_keys(call: Call, menu: Menu) -> str:
    """The keys ``menu`` takes now besides 0 and *: its own, then one per option."""
    options = option_keys(menu.options.of(call)) if menu.options is not None else ""
    return "".join(menu.keys) + options


def option_keys(options: Sequence[object]) -> str:
    """The keys of a menu of ``options``: 1, 2, … (at most ``MAX_MENU_OPTIONS``)."""
    return "".join(str(n) for n in range(1, min(len(options), MAX_MENU_OPTIONS) + 1))


def choose(options: Sequence[object], digits: str) -> object | None:
    """The option keyed with ``digits``, or None."""
    keys = option_keys(options)
    return options[int(digits) - 1] if len(digits) == 1 and digits in keys else None
