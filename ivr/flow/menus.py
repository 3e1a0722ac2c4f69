"""What each state of the call flow says and which keys it takes: the menus, as actions.

The machine (:mod:`ivr.flow.machine`) decides where a call goes; a :class:`Voice` turns the
state it arrives in into the ``Ask`` (and, for a number entry after an apology, the ``Play``
before it) the caller hears. Prompts are catalog ids played as ``L/ivr/<id>`` in the caller's
language; dates, times, digits and references come from the speech module's fragments.

``prompt_ids()`` lists every id the flow can play, for the prompt catalog's coverage check.

Errors: ``FlowError`` (from :mod:`ivr.flow.call`) for a state that asks nothing; the speech
module's ``SpeechError`` for a value it cannot say.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from ivr.flow.actions import DIGIT_KEYS, Action, Ask, Play, Prompt
from ivr.flow.call import Call, FlowError, Speaker, State
from ivr.flow.settings import LANGUAGES, REGIONS, FlowSettings

MAX_MENU_OPTIONS: Final = 9
OPERATOR_KEY: Final = "0"
BACK_KEY: Final = "*"


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
        language = self.language(call)
        return tuple(Prompt(prompt_id, language) for prompt_id in ids)

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

    def _menu_ask(self, prompts: tuple[Prompt, ...], keys: str) -> Ask:
        return Ask(
            prompts=prompts,
            keys=keys + OPERATOR_KEY + BACK_KEY,
            max_digits=1,
            first_digit_timeout_ms=self.settings.menu_timeout_ms,
            inter_digit_timeout_ms=self.settings.menu_timeout_ms,
        )

    def _digits_ask(self, call: Call, prompt_id: str, max_digits: int) -> Ask:
        return Ask(
            prompts=self.prompts(call, prompt_id),
            keys=DIGIT_KEYS + BACK_KEY + "#",
            max_digits=max_digits,
            first_digit_timeout_ms=self.settings.first_digit_timeout_ms,
            inter_digit_timeout_ms=self.settings.inter_digit_timeout_ms,
        )

    def _options(self, call: Call, codes: Sequence[str], prefix: str) -> list[Prompt]:
        spoken: list[Prompt] = []
        for number, code in enumerate(codes[:MAX_MENU_OPTIONS], start=1):
            spoken.extend(self.prompts(call, f"{prefix}-{code}", f"option-{number}"))
        return spoken

    def ask(self, call: Call, preface: tuple[Prompt, ...] = ()) -> tuple[Action, ...]:
        """The prompts and the question of ``call.state``, after ``preface``."""
        state = call.state
        say = self.prompts
        if state is State.LANGUAGE:
            languages = "".join(str(n) for n in range(1, len(LANGUAGES) + 1))
            options = tuple(Prompt("language-option", language) for language in LANGUAGES)
            welcome = Prompt("welcome", self.settings.default_language)
            return (self._menu_ask((*preface, welcome, *options), languages),)
        if state is State.EXISTING_MENU:
            return (self._menu_ask((*preface, *say(call, "existing-menu")), "123"),)
        if state is State.CANCEL_CONFIRM:
            return (self._menu_ask((*preface, *say(call, "cancel-confirm")), "12"),)
        if state is State.REGION:
            keys = "".join(str(n) for n in range(1, len(REGIONS) + 1))
            return (self._menu_ask((*preface, *say(call, "region-menu")), keys),)
        if state is State.OFFICE:
            codes = [office.code for office in call.region_offices]
            spoken = (*preface, *say(call, "office-menu"), *self._options(call, codes, "office"))
            return (self._menu_ask(spoken, option_keys(codes)),)
        if state is State.VISIT_TYPE:
            codes = [visit.code for visit in call.visit_types]
            spoken = (
                *preface,
                *say(call, "visit-type-menu"),
                *self._options(call, codes, "visit"),
            )
            return (self._menu_ask(spoken, option_keys(codes)),)
        if state is State.PASSPORT:
            ask = self._digits_ask(call, "passport-prompt", self.settings.passport_max_digits)
            return (Play(preface), ask) if preface else (ask,)
        if state is State.BIRTH_DATE:
            ask = self._digits_ask(call, "birthdate-prompt", 8)
            return (Play(preface), ask) if preface else (ask,)
        if state is State.CONFIRM_IDENTITY:
            assert call.passport is not None and call.birth_date is not None
            speaker = self.speaker(call)
            spoken = (
                *preface,
                *say(call, "readback-passport"),
                *say(call, *speaker.digits(call.passport)),
                *say(call, "readback-birthdate"),
                *say(call, *speaker.date_with_year(call.birth_date)),
                *say(call, "confirm-menu"),
            )
            return (self._menu_ask(spoken, "12"),)
        if state is State.SLOT_OFFER:
            assert call.slot is not None
            spoken = (
                *preface,
                *say(call, "slot-offer"),
                *self.when(call, call.slot.starts_at),
                *say(call, "slot-offer-office", f"office-{call.slot.office}", "slot-menu"),
            )
            return (self._menu_ask(spoken, "123"),)
        if state is State.REFERENCE:
            assert call.booking is not None
            reference = say(call, *self.speaker(call).reference(call.booking.reference))
            spoken = (
                *preface,
                *say(call, "booking-confirmed"),
                *reference,
                *say(call, "reference-again"),
                *reference,
                *say(call, "reference-menu"),
            )
            # 1 repeats; # lets a caller who has noted the reference skip the rest (goodbye)
            return (self._menu_ask(spoken, "1#"),)
        raise FlowError(f"state {state} asks nothing")


def option_keys(codes: Sequence[str]) -> str:
    """The keys of a menu of ``codes``: 1, 2, … (at most ``MAX_MENU_OPTIONS``)."""
    return "".join(str(n) for n in range(1, min(len(codes), MAX_MENU_OPTIONS) + 1))


# -- the prompt ids this flow can play ------------------------------------------------------------

FLOW_PROMPT_IDS: Final = frozenset(
    {
        "welcome",
        "language-option",
        "existing-booking",
        "existing-menu",
        "your-booking",
        "cancel-confirm",
        "booking-cancelled",
        "goodbye",
        "region-menu",
        "office-menu",
        "visit-type-menu",
        "passport-prompt",
        "birthdate-prompt",
        "birthdate-invalid",
        "readback-passport",
        "readback-birthdate",
        "confirm-menu",
        "searching",
        "slot-offer",
        "slot-offer-office",
        "slot-menu",
        "slot-taken",
        "no-slots",
        "booking-confirmed",
        "reference-again",
        "reference-menu",
        "transfer-operator",
        "service-error",
        "identity-limit",
        "invalid-input",
        "no-input",
        *(f"option-{number}" for number in range(1, MAX_MENU_OPTIONS + 1)),
    }
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
