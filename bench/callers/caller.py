"""A simulated caller who reacts to what it hears: prompt ids, their texts, and their ends.

The caller implements the timed fake Asterisk's ``Listener`` (``tests/fakes/timed_asterisk``):
it is told when each prompt starts and stops and answers with keys and hang-ups at times of its
own. The same object is driven in real time from the sandbox's AMI events for the SIPp sample
(``bench.callers.sipp_path``). It never sees the flow's states: it knows only its **intent**
(``Intent``: language, region, office, visit type, passport, birth date, which offer it takes,
or "an operator", or "hear / cancel my booking") and its **behaviour**.

How it listens (``bench.callers.hearing``): a prompt that opens a question (``TOPIC_OF``, or a
menu of ``MENU_MEANINGS``) starts an *episode*; within it the caller looks for its choice:

- by **name** (language, region, office, visit type): its name is heard (the id
  ``office-<code>``…, the ``language-option`` prompt in its language, or the region's name
  inside a menu sentence), and the first key word after it is its key;
- by **meaning** (existing booking, cancel, read-back, slot offer): the key of the meaning it
  wants (``accept`` / ``next-slot`` / ``later-day``; ``correct`` unless the read-back differs
  from what it keyed, then ``re-enter``);
- a **number** (passport, birth date): it keys it, then ``#`` if the prompt said so. A passport
  with letters is keyed as the prompt it heard tells it (``passport_keys``). A caller that
  keyed the letters' keypad digits and then hears, in the read-back, a sentence saying that
  letters are left out (``read_passport_instruction`` of that prompt) knows what it did: it
  asks to enter the number again and keys the digits only (an assumption, docs/benchmarks.md).

When it presses, by **pace** (``PACES``): ``knows_text_ahead`` (the expert, who has called
before, knows a prompt's words as soon as it starts), otherwise a word is known once heard
(words spread evenly over the prompt); ``waits_for_silence`` (first-timer, slow) decides only
when the system has been quiet for ``SETTLE_S`` after a prompt, and presses ``reaction_s``
after that prompt's end; otherwise (expert, fast typist) it presses ``reaction_s`` after the
moment it knows its key, into the prompts still playing. Digits of a number are
``digit_gap_s`` apart. A decision, once taken, is carried out even if the system starts
talking again (a slow caller's key lands in the "I did not hear your choice" that followed).

Incidents: ``wrong-key`` (at its k-th choice a key no prompt offered) or ``silent-once`` (says
nothing at its k-th choice until the question comes again); ``changes_mind_at`` (chooses the
neighbouring office or visit type, then ``*`` at the next question, then the right one);
``hangs_up_at`` (hangs up after a delay from the start of its n-th prompt).
A caller that does not understand a menu stays silent (the flow then repeats it, and at last
hands it to an operator); every such moment is noted in ``notes``.

Written by hand: it is this benchmark's caller model.

Errors: none; an unknown prompt is heard as an empty text (and noted).
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import Enum
from typing import Final

from bench.callers.hearing import (
    MENU_MEANINGS,
    TOPIC_OF,
    LetterRule,
    Topic,
    decode_date,
    decode_digit,
    decode_time,
    decode_weekday,
    digits_only,
    find_name,
    is_fragment,
    is_name,
    key_words,
    keypad_digits,
    menu_keys,
    read_passport_instruction,
    word_time,
)
from tests.fakes.timed_asterisk import Act, CallerHangsUp, KeyPress

SETTLE_S: Final = 0.3  # quiet after a prompt that tells a waiting caller the system is waiting
DECIDE_TO_PRESS_S: Final = 0.15  # no finger presses sooner after a decision
MENU_TOPICS: Final = {"existing-menu": Topic.EXISTING, "cancel-confirm": Topic.CANCEL_CONFIRM,
                      "confirm-menu": Topic.READBACK, "slot-menu": Topic.OFFER,
                      "reference-menu": Topic.REFERENCE, "language-option": Topic.LANGUAGE}
CHOICE_TOPICS: Final = frozenset({Topic.LANGUAGE, Topic.REGION, Topic.OFFICE, Topic.VISIT,
                                  Topic.READBACK, Topic.OFFER})
GIVE_UP_AFTER_REENTRIES: Final = 2
PATIENCE_S: Final = 900.0  # a caller still in the menu after 15 minutes hangs up
YEAR_UNSAID: Final = 2000  # a leap year, so that 29 February can be heard


class Goal(Enum):
    BOOK = "book"
    OPERATOR = "operator"
    KEEP = "hear my booking"
    CANCEL = "cancel my booking"


@dataclass(frozen=True)
class Pace:
    name: str
    knows_text_ahead: bool
    waits_for_silence: bool
    reaction_s: tuple[float, float]
    digit_gap_s: tuple[float, float]


PACES: Final = {
    "expert": Pace("expert", True, False, (0.3, 0.6), (0.25, 0.45)),
    "first-timer": Pace("first-timer", False, True, (0.8, 2.0), (0.35, 0.7)),
    "slow": Pace("slow", False, True, (4.0, 7.0), (0.6, 1.2)),
    "fast-typist": Pace("fast-typist", False, False, (0.2, 0.4), (0.12, 0.25)),
}


@dataclass(frozen=True)
class Intent:
    index: int
    number: str
    language: str
    goal: Goal
    region: str
    office: str
    visit_type: str
    passport: str  # as printed in the passport: letters possible
    birth_date: date
    offer_choice: str  # accept | next-slot | later-day (the first offer's answer)
    pace: str  # how it listens and types: a key of PACES
    kind: str  # its share of the population: a pace, or wrong-key / silent-once
    incident: str | None = None  # wrong-key | silent-once, at its ``incident_at``-th choice
    incident_at: int = 0
    hangs_up_at: int = 0  # hangs up at the start of this prompt (1-based; 0: does not)
    hangs_up_delay_s: float = 0.0
    changes_mind_at: Topic | None = None  # first another option in this menu, then *
    letter_habit: float = 0.0  # in [0, 1): how this caller keys letters when not told
    seed: int = 0

    @property
    def has_letters(self) -> bool:
        return any(char.isalpha() for char in self.passport)

    @property
    def identity_digits(self) -> str:
        """The passport digits the office expects: the letters left out (the rule of issue 12)."""
        return digits_only(self.passport)


# How a caller keys a passport with letters, by what the prompt it heard said. The shares are
# assumptions of this model, stated in docs/benchmarks.md: told to skip the letters, most do and
# some still key the letters' keypad digits from habit; told nothing, they guess.
LETTER_HABITS: Final[dict[LetterRule, tuple[tuple[float, str], ...]]] = {
    LetterRule.SKIP: ((0.9, "digits"), (1.0, "keypad")),
    LetterRule.UNSPECIFIED: ((0.4, "digits"), (0.85, "keypad"), (1.0, "operator")),
}


def passport_keys(passport: str, rule: LetterRule, habit: float) -> str | None:
    """What the caller keys for ``passport`` (None: it asks for an operator instead)."""
    if not any(char.isalpha() for char in passport):
        return passport
    choice = next(way for limit, way in LETTER_HABITS[rule] if habit < limit)
    if choice == "digits":
        return digits_only(passport)
    if choice == "keypad":
        return keypad_digits(passport)
    return None


@dataclass
class Heard:
    file_name: str
    prompt_id: str
    language: str
    text: str
    started: float
    duration_s: float
    stopped: float | None = None
    completed: bool = False

    @property
    def end(self) -> float:
        return self.stopped if self.stopped is not None else self.started + self.duration_s


@dataclass
class Episode:
    topic: Topic
    first: int  # index in ``heard`` of its first prompt
    started: float
    decided: bool = False
    skipped: bool = False  # silent-once: this episode was left unanswered on purpose


@dataclass(frozen=True)
class Plan:
    """One decision: keys at absolute times (a burst), or a hang-up (``keys`` empty)."""

    keys: str
    times: tuple[float, ...]
    decided_at: float
    topic: str
    what: str


@dataclass
class Offer:
    weekday: int | None = None
    day: date | None = None  # the caller hears no year: YEAR_UNSAID
    at: time | None = None
    office: str | None = None


class Caller:
    """One caller; a ``Listener`` for the timed fake Asterisk and for the SIPp driver."""

    def __init__(self, intent: Intent, *, texts: Mapping[str, Mapping[str, str]]) -> None:
        self.intent = intent
        self.pace = PACES[intent.pace]
        self._texts = texts
        self._rng = random.Random(intent.seed)
        self._agenda: list[tuple[float, int, str, str]] = []
        self._order = itertools.count()
        self.heard: list[Heard] = []
        self.episode: Episode | None = None
        self.plans: list[Plan] = []
        self.notes: list[str] = []
        self.ended_at: float | None = None
        self.hung_up = False
        self._choices = 0
        self._incident_done = False
        self._changed_mind = False
        self._go_back_pending = False
        self._offers_answered = 0
        self._reentries = 0
        self._told_to_skip_letters = False
        self.typed_passport: str | None = None
        self.typed_birth_date: str | None = None
        self.accepted_offer: Offer | None = None
        self.reference_heard: str | None = None
        self.booking_confirmed_at: float | None = None
        self.booking_heard: Offer | None = None
        self.unknown_prompts: set[str] = set()
        self._prompt_count = 0
        self._leaving = False
        self._wakes: set[float] = set()
        self.last_question: str | None = None

    # -- the Listener protocol --------------------------------------------------------------------

    def prompt_started(self, file_name: str, at: float, duration_s: float) -> None:
        language, _, prompt_id = file_name.partition("/ivr/")
        text = self._texts.get(prompt_id, {}).get(language, "")
        if not text:
            self.unknown_prompts.add(prompt_id)
        heard = Heard(file_name, prompt_id, language, text, at, duration_s)
        self.heard.append(heard)
        if not self.heard[:-1]:
            self._plan_hangup(PATIENCE_S, "out of patience", leaving=False)
        self._prompt_count += 1
        self._open_episode(heard)
        if prompt_id == "booking-confirmed" and self.booking_confirmed_at is None:
            self.booking_confirmed_at = at
        if self._prompt_count == self.intent.hangs_up_at:
            self._plan_hangup(at + self.intent.hangs_up_delay_s, "hangs up mid-call")
        self._wake(at)
        if self.episode is not None:
            for moment in self._moments(heard):
                self._wake(moment)
        self._wake(at + duration_s)

    def prompt_stopped(self, file_name: str, at: float, completed: bool) -> None:
        if self.heard and self.heard[-1].file_name == file_name:
            self.heard[-1].stopped = at
            self.heard[-1].completed = completed
        self._wake(at)
        self._wake(at + SETTLE_S)

    def next_act(self, until: float) -> Act | None:
        while self._agenda and self._agenda[0][0] <= until:
            at, _, kind, key = heapq.heappop(self._agenda)
            if self.hung_up or self.ended_at is not None:
                continue
            if kind == "wake":
                self._decide(at)
            elif kind == "key":
                return KeyPress(key, at)
            else:
                self.hung_up = True
                return CallerHangsUp(at)
        return None

    def session_ended(self, at: float, hung_up_by_asterisk: bool) -> None:
        self.ended_at = at

    def peek(self) -> tuple[float, str] | None:
        """The caller's next timer or act: (when, ``wake`` | ``key`` | ``hangup``), for a
        driver in real time that must start a key's tone before the key is due."""
        if not self._agenda or self.hung_up or self.ended_at is not None:
            return None
        at, _, kind, _ = self._agenda[0]
        return at, kind

    def plan_at(self, at: float) -> Plan | None:
        """The plan whose first act is due at ``at``."""
        return next((plan for plan in reversed(self.plans) if plan.times[0] == at), None)

    # -- episodes ---------------------------------------------------------------------------------

    def _open_episode(self, heard: Heard) -> None:
        prompt_id = heard.prompt_id
        topic = TOPIC_OF.get(prompt_id)
        continuing = MENU_TOPICS.get(prompt_id)
        current = self.episode
        if topic is None and continuing is not None:
            if current is not None and current.topic is continuing and not current.decided:
                return  # the menu of the question being asked
            topic = continuing
        if topic is None:
            return
        self.episode = Episode(topic, len(self.heard) - 1, heard.started)
        if topic is not Topic.ENDING:
            self.last_question = topic.value

    def _episode_prompts(self) -> list[Heard]:
        return self.heard[self.episode.first:] if self.episode else []

    def _moments(self, heard: Heard) -> list[float]:
        """When something in ``heard`` becomes known to this caller (its key words)."""
        if self.pace.knows_text_ahead or not heard.text:
            return []
        return [word_time(heard.text, word.end, heard.started, heard.duration_s)
                for word in key_words(heard.text, heard.language)]

    def _known_at(self, heard: Heard, end_offset: int | None = None) -> float | None:
        """When the caller knows ``heard``'s text up to ``end_offset`` (None: all of it, as
        a name or a fragment is known only once it is over), or None if it never will."""
        if self.pace.knows_text_ahead:
            return heard.started
        if end_offset is None:
            return heard.end if heard.completed or heard.stopped is None else None
        moment = word_time(heard.text, end_offset, heard.started, heard.duration_s)
        return moment if moment <= heard.end + 1e-9 else None

    # -- deciding ---------------------------------------------------------------------------------

    def _decide(self, now: float) -> None:
        episode = self.episode
        if episode is None or episode.decided or self.hung_up or self._leaving \
                or episode.topic is Topic.ENDING:
            return
        if self.intent.goal is Goal.OPERATOR and episode.topic is not Topic.LANGUAGE:
            self._choose(now, "0", episode.started, "asks for an operator")
            return
        if self._go_back_pending:
            self._choose(now, "*", episode.started, "changed its mind: back")
            return
        topic = episode.topic
        if topic in (Topic.PASSPORT, Topic.BIRTH_DATE):
            self._enter_number(now)
        elif topic is Topic.EXISTING:
            self._existing(now)
        elif topic is Topic.REFERENCE:
            self._note_reference()
        elif topic in (Topic.LANGUAGE, Topic.REGION, Topic.OFFICE, Topic.VISIT):
            self._choose_by_name(now)
        elif topic is Topic.CANCEL_CONFIRM:
            self._choose_by_meaning(now, "cancel-confirm", "confirm")
        elif topic is Topic.READBACK:
            self._readback(now)
        elif topic is Topic.OFFER:
            self._offer(now)

    def _quiet_since(self, now: float) -> float | None:
        """The end of the last prompt if the system has been quiet ``SETTLE_S`` since, else
        None."""
        last = self.heard[-1] if self.heard else None
        if last is None or last.stopped is None or now < last.stopped + SETTLE_S - 1e-9:
            return None
        return last.stopped

    def _ready(self, now: float, known_at: float) -> bool:
        """Whether the caller decides now on something it knows since ``known_at`` (if not
        yet, it looks again then)."""
        if now < known_at - 1e-9:
            self._wake(known_at)
            return False
        return not self.pace.waits_for_silence or self._quiet_since(now) is not None

    def _when_to_press(self, now: float, known_at: float) -> float | None:
        """The moment to press a key known since ``known_at``, or None (not yet)."""
        if not self._ready(now, known_at):
            return None
        if self.pace.waits_for_silence:
            quiet = self._quiet_since(now)
            assert quiet is not None
            return max(now + DECIDE_TO_PRESS_S, quiet + self._reaction())
        return max(now + DECIDE_TO_PRESS_S, known_at + self._reaction())

    def _reaction(self) -> float:
        low, high = self.pace.reaction_s
        return self._rng.uniform(low, high)

    def _choose(self, now: float, key: str, known_at: float, what: str,
                *, counts_as_choice: bool = False) -> None:
        """Press ``key`` (known since ``known_at``) when the pace says, applying the caller's
        incident at its k-th choice."""
        assert self.episode is not None
        if not self._ready(now, known_at):
            return
        if counts_as_choice:
            if self.episode.skipped:
                return
            number = self._choices + 1
            incident = self.intent.incident
            if incident == "silent-once" and not self._incident_done \
                    and number == self.intent.incident_at:
                self._incident_done = True
                self.episode.skipped = True
                self.notes.append(f"stays silent at the {self.episode.topic.value} menu")
                return
            if incident == "wrong-key" and not self._incident_done \
                    and number == self.intent.incident_at:
                self._incident_done = True
                key, what = self._wrong_key(), f"wrong key instead of {key}"
            self._choices = number
        at = self._when_to_press(now, known_at)
        if at is None:
            return
        self.episode.decided = True
        if key == "*":
            self._go_back_pending = False
        self._plan(key, (at,), now, what)

    def _wrong_key(self) -> str:
        """A key none of the episode's menu sentences offered (the read-back's digits are
        not offers)."""
        offered = {word.key for heard in self._episode_prompts()
                   if not is_fragment(heard.prompt_id)
                   for word in key_words(heard.text, heard.language)}
        return next((digit for digit in "987654321" if digit not in offered), "#")

    def _plan(self, keys: str, times: tuple[float, ...], now: float, what: str) -> None:
        topic = self.episode.topic.value if self.episode else "-"
        self.plans.append(Plan(keys, times, now, topic, what))
        for key, at in zip(keys, times, strict=True):
            heapq.heappush(self._agenda, (at, next(self._order), "key", key))

    def _plan_hangup(self, at: float, what: str, *, leaving: bool = True) -> None:
        """Hang up at ``at``; a caller about to leave decides nothing more."""
        self._leaving = self._leaving or leaving
        topic = self.episode.topic.value if self.episode else "-"
        self.plans.append(Plan("", (at,), at, topic, what))
        heapq.heappush(self._agenda, (at, next(self._order), "hangup", ""))

    def _wake(self, at: float) -> None:
        if at not in self._wakes:
            self._wakes.add(at)
            heapq.heappush(self._agenda, (at, next(self._order), "wake", ""))

    # -- choices by name --------------------------------------------------------------------------

    def _name_in(self, heard: Heard) -> tuple[str, int, float | None] | None:
        """A name in ``heard``: (whose — "mine" or the prompt's id —, the text offset it ends
        at, when the caller knows it), or None."""
        intent, topic = self.intent, self.episode.topic if self.episode else None
        if heard.prompt_id == "language-option":
            whose = "mine" if heard.language == intent.language else f"language-{heard.language}"
            return whose, 0, heard.started
        wanted = {Topic.REGION: f"region-{intent.region}", Topic.OFFICE: f"office-{intent.office}",
                  Topic.VISIT: f"visit-{intent.visit_type}"}.get(topic) if topic else None
        if is_name(heard.prompt_id):
            whose = "mine" if heard.prompt_id == wanted else heard.prompt_id
            return whose, 0, self._known_at(heard)
        name = self._texts.get(wanted, {}).get(intent.language, "") if wanted else ""
        offset = find_name(heard.text, name) if name and heard.text else None
        return None if offset is None else ("mine", offset, self._known_at(heard, offset))

    def _keys_by_name(self) -> list[tuple[str, float, str]]:
        """(key, when known, whose name) for every name heard in the episode: the first key
        word after each name."""
        found: list[tuple[str, float, str]] = []
        pending: tuple[str, float] | None = None
        for heard in self._episode_prompts():
            search_from = 0
            name = self._name_in(heard)
            if name is not None:
                whose, search_from, known_name = name
                pending = None if known_name is None else (whose, known_name)
            if pending is None:
                continue
            for word in key_words(heard.text, heard.language):
                if word.end <= search_from:
                    continue
                known = self._known_at(heard, word.end)
                if known is not None:
                    found.append((word.key, max(known, pending[1]), pending[0]))
                    pending = None
                break
        return found

    def _choose_by_name(self, now: float) -> None:
        found = self._keys_by_name()
        mine = [(key, known) for key, known, whose in found if whose == "mine"]
        topic = self.episode.topic if self.episode else None
        if not self._changed_mind and topic is self.intent.changes_mind_at:
            others = [(key, known) for key, known, whose in found if whose != "mine"]
            if mine and others:
                # the neighbouring option: the first other one heard after its own, or before
                later = [item for item in others if item[1] >= mine[0][1]]
                key, known = later[0] if later else others[-1]
                if self._ready(now, known):
                    self._changed_mind = True
                    self._go_back_pending = True
                    self.notes.append(f"chose another {topic.value if topic else ''} first")
                    self._choose(now, key, known, "changes its mind: another option")
                return
        if mine:
            key, known = mine[0]
            self._choose(now, key, known, f"its {topic.value if topic else ''}",
                         counts_as_choice=True)
        elif self.pace.waits_for_silence and self._quiet_since(now) is not None and topic:
            self._note_once(f"did not find its choice in the {topic.value} menu")

    def _note_once(self, note: str) -> None:
        """A note, unless it is the last one already (a question is looked at many times)."""
        if not self.notes or self.notes[-1] != note:
            self.notes.append(note)

    # -- choices by meaning -----------------------------------------------------------------------

    def _menu_key(self, menu_id: str, meaning: str) -> tuple[str, float] | None:
        for heard in self._episode_prompts():
            if heard.prompt_id != menu_id:
                continue
            keys = menu_keys(menu_id, heard.text, heard.language)
            if keys is None:
                self._note_once(f"did not understand {menu_id}")
                return None
            word = keys[meaning]
            known = self._known_at(heard, word.end)
            return None if known is None else (word.key, known)
        return None

    def _choose_by_meaning(self, now: float, menu_id: str, meaning: str,
                           *, after: float = 0.0, counts_as_choice: bool = False) -> bool:
        found = self._menu_key(menu_id, meaning)
        if found is None:
            return False
        key, known = found
        self._choose(now, key, max(known, after), meaning, counts_as_choice=counts_as_choice)
        return True

    def _readback(self, now: float) -> None:
        prompts = self._episode_prompts()
        passport, date_ids, section = "", [], ""
        for heard in prompts:
            if heard.prompt_id == "readback-passport":
                section = "passport"
            elif heard.prompt_id == "readback-birthdate":
                section = "date"
            elif heard.prompt_id in MENU_MEANINGS:
                break
            elif section == "passport" and (digit := decode_digit(heard.prompt_id)):
                passport += digit
            elif section == "date":
                date_ids.append(heard.prompt_id)
        heard_date = decode_date(date_ids)
        typed = (self.typed_passport or "").rstrip("#")
        right = (passport == typed and heard_date is not None
                 and heard_date.strftime("%d%m%Y") == self.typed_birth_date)
        letters = right and self._keyed_letters(typed, prompts)
        if letters:  # it keyed the letters' keys and has just been told not to
            right = False
            self._told_to_skip_letters = True
            self._note_once("read-back says letters are left out: enters the digits only")
        meaning = "correct" if right else "re-enter"
        if not right and self._reentries >= GIVE_UP_AFTER_REENTRIES:
            self._choose(now, "0", self.episode.started if self.episode else now,
                         "gives up after re-entering twice")
            return
        if self._choose_by_meaning(now, "confirm-menu", meaning, counts_as_choice=True) \
                and self.episode is not None and self.episode.decided and not right:
            self._reentries += 1
            if not letters:
                self.notes.append(f"read-back {passport}/{heard_date} differs from what it keyed")

    def _keyed_letters(self, typed: str, prompts: Sequence[Heard]) -> bool:
        """Whether this caller keyed its passport's letters as keypad digits and a prompt of the
        read-back it heard says that letters are left out (it then knows what it did)."""
        if not self.intent.has_letters or typed != keypad_digits(self.intent.passport):
            return False
        return any(read_passport_instruction(heard.text, heard.language).letters
                   is LetterRule.SKIP for heard in prompts if heard.prompt_id not in MENU_MEANINGS)

    def _offer(self, now: float) -> None:
        offer = Offer()
        fragments: list[str] = []
        office_next = False
        office_known: float | None = None
        for heard in self._episode_prompts():
            if heard.prompt_id == "slot-offer-office":
                office_next = True
            elif office_next and heard.prompt_id.startswith("office-"):
                offer.office = heard.prompt_id.removeprefix("office-")
                office_known = self._known_at(heard)
                office_next = False
            elif heard.prompt_id not in MENU_MEANINGS:
                fragments.append(heard.prompt_id)
        offer.weekday = decode_weekday(fragments)
        offer.day = decode_date(fragments, year=YEAR_UNSAID)
        offer.at = decode_time(fragments)
        if office_known is None:
            return
        if offer.office != self.intent.office:
            self.notes.append(f"offered the office {offer.office}, wanted {self.intent.office}")
            self._choose(now, "0", office_known, "wrong office offered: operator")
            return
        meaning = self.intent.offer_choice if self._offers_answered == 0 else "accept"
        if self._choose_by_meaning(now, "slot-menu", meaning, after=office_known,
                                   counts_as_choice=True) \
                and self.episode is not None and self.episode.decided:
            self._offers_answered += 1
            if meaning == "accept":
                self.accepted_offer = offer

    def _existing(self, now: float) -> None:
        prompts = self._episode_prompts()
        if any(heard.prompt_id == "your-booking" for heard in prompts):
            fragments = [heard.prompt_id for heard in prompts]
            offices = [p.removeprefix("office-") for p in fragments if p.startswith("office-")]
            heard_end = next((self._known_at(h) for h in prompts
                              if h.prompt_id.startswith("office-")), None)
            if heard_end is None or not offices:
                return
            self.booking_heard = Offer(decode_weekday(fragments),
                                       decode_date(fragments, year=YEAR_UNSAID),
                                       decode_time(fragments), offices[0])
            if self.intent.goal is Goal.KEEP:
                at = self._when_to_press(now, heard_end)
                if at is not None and self.episode is not None:
                    self.episode.decided = True
                    self._plan_hangup(at, "heard its booking: hangs up")
                return
        meaning = {Goal.KEEP: "hear", Goal.CANCEL: "cancel"}.get(self.intent.goal, "book-another")
        self._choose_by_meaning(now, "existing-menu", meaning)

    def _note_reference(self) -> None:
        if self.reference_heard is not None:
            return
        digits = ""
        prompts = self._episode_prompts()
        # the reference follows booking-reference (after what was booked), else the first prompt
        start = next((i for i, heard in enumerate(prompts)
                      if heard.prompt_id == "booking-reference"), 0) + 1
        for heard in prompts[start:]:
            digit = decode_digit(heard.prompt_id)
            if digit is None:
                break
            if heard.stopped is None:
                return
            digits += digit
        if digits:
            self.reference_heard = digits

    # -- numbers ----------------------------------------------------------------------------------

    def _enter_number(self, now: float) -> None:
        episode = self.episode
        assert episode is not None
        question = self.heard[episode.first]
        if question.prompt_id not in ("passport-prompt", "birthdate-prompt"):
            return
        passport = question.prompt_id == "passport-prompt"
        letters = passport and self.intent.has_letters
        if letters or self.pace.waits_for_silence:
            known = self._known_at(question)  # the whole question
        elif self.pace.knows_text_ahead:
            known = question.started
        else:  # the fast typist starts once the first clause is heard
            clause = next((i for i, char in enumerate(question.text) if char in ",.:"),
                          len(question.text))
            known = self._known_at(question, clause)
        if known is None:
            return
        start = self._when_to_press(now, known)
        if start is None:
            return
        heard_upto = len(question.text) if self.pace.knows_text_ahead else round(
            len(question.text) * min(1.0, (start - question.started) / question.duration_s))
        instruction = read_passport_instruction(question.text[:heard_upto], question.language)
        if passport:
            keyed = passport_keys(self.intent.passport, instruction.letters,
                                  self.intent.letter_habit)
            if self._told_to_skip_letters:  # by the read-back, after keying them
                keyed = digits_only(self.intent.passport)
            if keyed is None:
                episode.decided = True
                self.notes.append("passport has letters and the prompt did not say how: operator")
                self._plan("0", (start,), now, "passport letters: operator")
                return
            if letters:
                self.notes.append(f"passport {self.intent.passport} keyed as {keyed}"
                                  f" ({instruction.letters.value})")
            self.typed_passport = keyed
        else:
            keyed = self.intent.birth_date.strftime("%d%m%Y")
            self.typed_birth_date = keyed
        if instruction.ends_with_hash:
            keyed += "#"
        episode.decided = True
        low, high = self.pace.digit_gap_s
        times = [start]
        for _ in keyed[1:]:
            times.append(times[-1] + self._rng.uniform(low, high))
        self._plan(keyed, tuple(times), now, "passport" if passport else "birth date")

