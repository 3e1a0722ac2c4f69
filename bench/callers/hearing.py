"""What a simulated caller understands of a prompt: the catalog text it hears, and the ids.

A caller hears a prompt as its id (``L/ivr/<id>``, the language from the file name) and as the
catalog text of that id in that language (``prompts/catalog``, the text the built audio says).
From the **text** it takes what a listener takes from words:

- **keys**: number words, "star" and "hash" of the language, when they name a key: right after
  a verb of pressing ("press two", "stiskněte dva", "bấm phím hai"), ending a sentence that is
  not a question ("The next one, two." gives 2, not the "one" of "next one"), or ending a
  clause that starts with "for" ("…, pro další termín dva, pro pozdější den tři."; Vietnamese
  "không" is a key only after "phím", being also "not"); ``key_words``;
- **names** inside a sentence ("For Prague, press one"): the name's catalog text (names.toml,
  e.g. ``region-praha``) found word by word, each word by its stem (its first letters, all
  but the last two, at least three), because cs/uk/ru inflect names ("Prahu", "Праги");
  ``find_name``;
- **the passport rule**: whether the passport prompt says to skip letters (a word for letters
  with a word for leaving out / only digits in one sentence) and whether it says to end with
  the hash key; ``read_passport_instruction``.

Time inside a prompt: words are spread evenly over its duration by character position, so a
word ending at 60 % of the text is heard at 60 % of the prompt (``word_time``).

From the **ids** it takes what the words mean but a word list would have to guess: which
question is being asked (``TOPIC_OF``), and for a menu of actions which meaning each of its
keys has, in the order the text names them (``MENU_MEANINGS``; a menu whose text names another
number of keys is not understood). Dynamic speech fragments (``ivr.speech``: digits, dates,
times, years) are decoded from their ids (``decode_*``).

Written by hand: this is the caller model of this benchmark; no library models callers.

Errors: ``KeyError`` for a language without a lexicon (the five of the project have one).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from enum import Enum
from functools import cache
from typing import Final

# -- words for keys -------------------------------------------------------------------------------

_KEY_FORMS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "cs": {
        "0": ("nula", "nulu", "nulou"), "1": ("jedna", "jedničku", "jednu"),
        "2": ("dva", "dvě", "dvojku"), "3": ("tři", "trojku"), "4": ("čtyři", "čtyřku"),
        "5": ("pět", "pětku"), "6": ("šest", "šestku"), "7": ("sedm", "sedmičku"),
        "8": ("osm", "osmičku"), "9": ("devět", "devítku"),
        "*": ("hvězdička", "hvězdičku", "hvězdičky"), "#": ("mřížka", "mřížku", "mřížky"),
    },
    "en": {
        "0": ("zero",), "1": ("one",), "2": ("two",), "3": ("three",), "4": ("four",),
        "5": ("five",), "6": ("six",), "7": ("seven",), "8": ("eight",), "9": ("nine",),
        "*": ("star", "asterisk"), "#": ("hash", "pound", "#"),
    },
    "uk": {
        "0": ("нуль",), "1": ("один", "одну", "одиницю"), "2": ("два", "дві", "двійку"),
        "3": ("три", "трійку"), "4": ("чотири", "четвірку"), "5": ("п'ять", "п’ять"),
        "6": ("шість",), "7": ("сім",), "8": ("вісім",), "9": ("дев'ять", "дев’ять"),
        "*": ("зірочку", "зірочка", "зірку"), "#": ("решітку", "решітка", "ґратку", "#"),
    },
    "ru": {
        "0": ("ноль", "нуль"), "1": ("один", "одну", "единицу"), "2": ("два", "две", "двойку"),
        "3": ("три", "тройку"), "4": ("четыре", "четвёрку"), "5": ("пять", "пятёрку"),
        "6": ("шесть",), "7": ("семь",), "8": ("восемь",), "9": ("девять",),
        "*": ("звёздочку", "звездочку", "звёздочка", "звездочка"),
        "#": ("решётку", "решетку", "решётка", "решетка", "#"),
    },
    "vi": {
        "0": ("không",), "1": ("một",), "2": ("hai",), "3": ("ba",), "4": ("bốn",),
        "5": ("năm",), "6": ("sáu",), "7": ("bảy",), "8": ("tám",), "9": ("chín",),
        "*": ("sao",), "#": ("thăng", "#"),
    },
}
_PRESS_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "cs": ("stiskněte", "stiskni", "zmáčkněte", "volte", "zvolte", "klávesu"),
    "en": ("press", "key", "dial"),
    "uk": ("натисніть", "натисни", "клавішу"),
    "ru": ("нажмите", "нажми", "клавишу"),
    "vi": ("bấm", "phím", "nhấn"),
}
_WORD = re.compile(r"[\w'’#*]+", re.UNICODE)
_SENTENCE_END = re.compile(r"^\s*([.!;:]|$)")  # a question ("…không?") names no key
_CLAUSE_END = re.compile(r"^\s*,")
_CLAUSE_START = re.compile(r"[.!?;:,]\s*")
# a clause "for X …" ending in a number word names a key ("pro další termín dva, …")
_FOR_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "cs": ("pro",), "en": ("for",), "uk": ("для",), "ru": ("для",), "vi": ("để",),
}
# words that are a key only after a verb of pressing (vi "không" is also "not", "is it?")
_ONLY_AFTER_PRESS: Final[dict[str, frozenset[str]]] = {"vi": frozenset({"không"})}


@dataclass(frozen=True)
class Word:
    text: str  # lower case
    start: int  # character offsets in the prompt's text
    end: int


@cache
def words(text: str) -> tuple[Word, ...]:
    return tuple(Word(m.group(0).lower(), m.start(), m.end()) for m in _WORD.finditer(text))


def word_time(text: str, end_offset: int, started: float, duration_s: float) -> float:
    """When a listener has heard the text up to ``end_offset`` (evenly spread speech)."""
    return started + duration_s * (end_offset / max(len(text), 1))


@dataclass(frozen=True)
class KeyWord:
    key: str
    end: int  # character offset where the word ends


@cache
def _key_of_form(language: str) -> dict[str, str]:
    return {form: key for key, all_forms in _KEY_FORMS[language].items() for form in all_forms}


@cache
def key_words(text: str, language: str) -> tuple[KeyWord, ...]:
    """The keys a text names, in order (see the module docstring for the rule)."""
    forms = _key_of_form(language)
    press = _PRESS_WORDS[language]
    found: list[KeyWord] = []
    tokens = words(text)
    for index, token in enumerate(tokens):
        key = forms.get(token.text)
        if key is None:
            continue
        after_press = index > 0 and tokens[index - 1].text in press
        rest = text[token.end:]
        ends_sentence = bool(_SENTENCE_END.match(rest)) or (
            bool(_CLAUSE_END.match(rest)) and _clause_starts_with_for(text, token, language))
        if after_press or (ends_sentence and token.text not in
                           _ONLY_AFTER_PRESS.get(language, frozenset())):
            found.append(KeyWord(key, token.end))
    return tuple(found)


def _clause_starts_with_for(text: str, token: Word, language: str) -> bool:
    starts = [match.end() for match in _CLAUSE_START.finditer(text, 0, token.start)]
    clause = words(text[starts[-1] if starts else 0:token.start])
    return bool(clause) and clause[0].text in _FOR_WORDS[language]


# -- names inside a text --------------------------------------------------------------------------


def _stem(word: str) -> str:
    return word[: max(3, len(word) - 2)]


@cache
def find_name(text: str, name: str) -> int | None:
    """The character offset where ``name`` (all its words, in order, by stem) ends in
    ``text``, or None."""
    wanted = [_stem(word.text) for word in words(name)]
    tokens = words(text)
    if not wanted:
        return None
    for start in range(len(tokens) - len(wanted) + 1):
        window = tokens[start : start + len(wanted)]
        if all(token.text.startswith(stem) for token, stem in zip(window, wanted, strict=True)):
            return window[-1].end
    return None


# -- the passport prompt --------------------------------------------------------------------------


class LetterRule(Enum):
    SKIP = "skip letters"  # the prompt says to key only the digits
    UNSPECIFIED = "not said"  # the prompt says nothing about letters


_LETTER_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "cs": ("písmen", "písmena", "písmeno"),
    "en": ("letter", "letters"),
    "uk": ("літер", "літери", "букв", "букви"),
    "ru": ("букв", "буквы", "букву"),
    "vi": ("chữ cái",),
}
_SKIP_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "cs": ("vynechte", "vynechejte", "bez", "jen", "pouze", "přeskočte"),
    "en": ("skip", "without", "only", "leave", "ignore", "omit"),
    "uk": ("пропустіть", "без", "лише", "тільки", "пропускайте"),
    "ru": ("пропустите", "без", "только", "пропускайте"),
    "vi": ("bỏ qua", "không nhập", "chỉ", "bỏ"),
}


@dataclass(frozen=True)
class PassportInstruction:
    letters: LetterRule
    ends_with_hash: bool


def _sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.!?;])\s+", text) if part.strip()]


def _mentions(sentence: str, phrases: Iterable[str]) -> bool:
    lowered = sentence.lower()
    tokens = {word.text for word in words(sentence)}
    return any((" " in phrase and phrase in lowered) or phrase in tokens for phrase in phrases)


def read_passport_instruction(text: str, language: str) -> PassportInstruction:
    """What the passport prompt tells a caller whose passport number has letters."""
    skip = any(
        _mentions(sentence, _LETTER_WORDS[language]) and _mentions(sentence, _SKIP_WORDS[language])
        for sentence in _sentences(text)
    )
    ends_with_hash = any(word.key == "#" for word in key_words(text, language))
    return PassportInstruction(LetterRule.SKIP if skip else LetterRule.UNSPECIFIED, ends_with_hash)


KEYPAD: Final = {letter: digit for digit, letters in {
    "2": "ABC", "3": "DEF", "4": "GHI", "5": "JKL", "6": "MNO", "7": "PQRS", "8": "TUV",
    "9": "WXYZ"}.items() for letter in letters}


def digits_only(passport: str) -> str:
    return "".join(char for char in passport if char.isdigit())


def keypad_digits(passport: str) -> str:
    """Letters keyed as the digit they are printed on (F and E are both on 3)."""
    return "".join(KEYPAD.get(char.upper(), char) for char in passport)


# -- what a prompt id means -----------------------------------------------------------------------


class Topic(Enum):
    LANGUAGE = "language"
    EXISTING = "existing booking"
    CANCEL_CONFIRM = "cancel confirmation"
    REGION = "region"
    OFFICE = "office"
    VISIT = "visit type"
    PASSPORT = "passport"
    BIRTH_DATE = "birth date"
    READBACK = "read-back"
    OFFER = "slot offer"
    REFERENCE = "reference"
    ENDING = "ending"


# The prompt that opens a question: hearing it, the caller knows what is asked from here on.
TOPIC_OF: Final[dict[str, Topic]] = {
    "welcome": Topic.LANGUAGE,
    "existing-booking": Topic.EXISTING,
    "your-booking": Topic.EXISTING,
    "cancel-confirm": Topic.CANCEL_CONFIRM,
    "region-menu": Topic.REGION,
    "office-menu": Topic.OFFICE,
    "visit-type-menu": Topic.VISIT,
    "passport-prompt": Topic.PASSPORT,
    "birthdate-prompt": Topic.BIRTH_DATE,
    "readback-passport": Topic.READBACK,
    "slot-offer": Topic.OFFER,
    "slot-taken": Topic.OFFER,
    "booking-confirmed": Topic.REFERENCE,
    "transfer-operator": Topic.ENDING,
    "goodbye": Topic.ENDING,
    "booking-cancelled": Topic.ENDING,
}
# Menus of actions: the meaning of each key the text names, in the order it names them.
MENU_MEANINGS: Final[dict[str, tuple[str, ...]]] = {
    "existing-menu": ("hear", "cancel", "book-another"),
    "cancel-confirm": ("confirm", "back"),
    "confirm-menu": ("correct", "re-enter"),
    "slot-menu": ("accept", "next-slot", "later-day"),
    "reference-menu": ("repeat",),
}
NAME_PREFIXES: Final = ("region-", "office-", "visit-")


def is_name(prompt_id: str) -> bool:
    """Whether the prompt is the name of a region, an office or a visit type (names.toml)."""
    return prompt_id.startswith(NAME_PREFIXES) and prompt_id not in TOPIC_OF


FRAGMENT_PREFIXES: Final = ("digit-", "date-", "weekday-", "time-", "year-")


def is_fragment(prompt_id: str) -> bool:
    """Whether the prompt is a fragment of dynamic speech (ivr.speech: digits, dates, times)."""
    return prompt_id.startswith(FRAGMENT_PREFIXES)


def menu_keys(prompt_id: str, text: str, language: str) -> dict[str, KeyWord] | None:
    """meaning → key word of an action menu, or None when the text does not name one key
    per meaning (the caller does not understand it)."""
    meanings = MENU_MEANINGS.get(prompt_id)
    if meanings is None:
        return None
    found = key_words(text, language)
    if len(found) != len(meanings):
        return None
    return dict(zip(meanings, found, strict=True))


# -- dynamic speech fragments ---------------------------------------------------------------------

_NUMBERED = re.compile(r"^(?P<kind>[a-z-]+?)-(?P<n>\d+)(?P<final>-final)?$")
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _numbered(prompt_id: str) -> tuple[str, int] | None:
    match = _NUMBERED.match(prompt_id)
    return (match["kind"], int(match["n"])) if match else None


def decode_digit(prompt_id: str) -> str | None:
    parsed = _numbered(prompt_id)
    return str(parsed[1]) if parsed and parsed[0] == "digit" else None


def decode_year(ids: Sequence[str]) -> int | None:
    values = {"year-century": 100, "year-tens": 10, "year-tens-ordinal": 10, "year-teen": 1,
              "year-unit": 1}
    total, seen, after_zero = 0, False, False
    for prompt_id in ids:
        if prompt_id == "year-zero-tens":  # "oh" / "linh": a plain digit follows (vi)
            after_zero = True
            continue
        parsed = _numbered(prompt_id)
        if parsed is None:
            continue
        kind, number = parsed
        if kind == "year":
            total, seen = total + number, True
        elif kind in values or (kind == "digit" and after_zero):
            total, seen = total + values.get(kind, 1) * number, True
    return total if seen else None


def decode_date(ids: Sequence[str], *, year: int | None = None) -> date | None:
    day = month = None
    for prompt_id in ids:
        parsed = _numbered(prompt_id)
        if parsed and parsed[0] == "date-day":
            day = parsed[1]
        elif parsed and parsed[0] == "date-month":
            month = parsed[1]
    year = year if year is not None else decode_year(ids)
    if day is None or month is None or year is None:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def decode_time(ids: Sequence[str]) -> time | None:
    hour, minutes = None, 0
    # vi says a single-digit minute as a plain digit ("không giờ một phút")
    values = {"time-minute-unit": 1, "time-minute-teen": 1, "time-minute-tens": 10, "digit": 1}
    for prompt_id in ids:
        parsed = _numbered(prompt_id)
        if parsed is None:
            continue
        kind, number = parsed
        if kind == "time-hour":
            hour = number
        elif kind in values:
            minutes += values[kind] * number
    return None if hour is None or not 0 <= minutes < 60 else time(hour, minutes)


def decode_weekday(ids: Sequence[str]) -> int | None:
    """ISO weekday (1 = Monday) of a ``weekday-<name>`` fragment, or None."""
    for prompt_id in ids:
        if prompt_id.startswith("weekday-") and prompt_id[8:] in WEEKDAYS:
            return WEEKDAYS.index(prompt_id[8:]) + 1
    return None
