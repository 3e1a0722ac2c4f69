"""The grammar shared by the five languages, with hooks where they differ.

A ``Speaker`` turns a value (a date, a time, a digit string) into the list of fragment ids
(see ``ids.py``) a caller hears, in order. The base class holds the composition that most
languages share; each language subclass (``cs.py``, ``en.py``, …) overrides only the places
where its grammar differs, and names them in its docstring. The texts live next to each
subclass in a ``TEXTS`` table, so a reviewer reads one language in one file.

Domain (anything else raises ``OutOfDomain``):
- dates: any ``datetime.date``; with the year only for 1900–2099 (the fragments compose every
  year of both centuries; dates of birth need 1900 on);
- times: any hour and minute, seconds and microseconds must be zero;
- digit strings and references: ``0``-``9`` only, at least one digit.

Errors: ``ivr.speech.errors`` (``OutOfDomain`` here).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import ClassVar, Literal

from ivr.speech import ids
from ivr.speech.errors import OutOfDomain


def reference_groups(reference: str) -> list[str]:
    """Split a reference for reading: threes, and never a lonely last digit.

    8 digits → 3-3-2 ("470 213 82"), 9 → 3-3-3, 7 → 3-2-2, 4 → 2-2, 2 → 2.
    """
    _check_digit_string(reference)
    groups = [reference[start : start + 3] for start in range(0, len(reference), 3)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        merged = groups[-2] + groups[-1]
        groups[-2:] = [merged[:2], merged[2:]]
    return groups


def _check_digit_string(digits: str) -> None:
    if not digits or not digits.isascii() or not digits.isdigit():
        raise OutOfDomain(f"expected a non-empty string of digits 0-9, got {digits!r}")


class Speaker:
    """Fragment ids for one language; subclasses set ``language`` and override the hooks."""

    language: ClassVar[str]
    # Where "year"/"года"/"năm" goes relative to the number of the year.
    year_word_position: ClassVar[Literal["none", "before", "after"]] = "none"
    # ru/uk: a year ending in a round ten is one ordinal word ("восьмидесятого").
    round_tens_are_ordinal: ClassVar[bool] = False
    # vi: "phút" after the minutes.
    says_minute_word: ClassVar[bool] = False

    # --- dates ---------------------------------------------------------------------------

    def weekday(self, day: dt.date) -> list[str]:
        """The weekday of a slot with its preposition: "v úterý", "on Tuesday"."""
        return [ids.weekday(day.isoweekday())]

    def date(self, day: dt.date) -> list[str]:
        """Day and month, no year: "pátého ledna"."""
        return [ids.day(day.day), ids.month(day.month)]

    def date_with_year(self, day: dt.date) -> list[str]:
        """Day, month and year, as read back for a date of birth."""
        return [*self.date(day), *self.year(day.year)]

    def year(self, year: int) -> list[str]:
        """A year of 1900–2099 as it ends a date."""
        if not ids.FIRST_YEAR <= year <= ids.LAST_YEAR:
            raise OutOfDomain(
                f"year {year} outside the spoken range {ids.FIRST_YEAR}-{ids.LAST_YEAR}"
            )
        century, rest = divmod(year, 100)
        if rest == 0:
            number = [ids.year_round(year)]
        else:
            number = [ids.year_century(century), *self.year_tail(century, rest)]
        if self.year_word_position == "before":
            return [ids.YEAR_WORD, *number]
        if self.year_word_position == "after":
            return [*number, ids.YEAR_WORD]
        return number

    def year_tail(self, century: int, rest: int) -> list[str]:
        """The last two digits of a year, 1–99."""
        if rest < 10:
            return self.year_single_digit_tail(century, rest)
        if rest < 20:
            return [ids.year_teen(rest)]
        tens, unit = divmod(rest, 10)
        if unit == 0:
            round_tens = ids.year_tens_ordinal if self.round_tens_are_ordinal else ids.year_tens
            return [round_tens(tens)]
        return [ids.year_tens(tens), ids.year_unit(unit)]

    def year_single_digit_tail(self, century: int, unit: int) -> list[str]:
        """Years 1901–1909, 2001–2009: "tisíc devět set pět"; en/vi insert a zero word."""
        return [ids.year_unit(unit)]

    # --- times ---------------------------------------------------------------------------

    def time(self, moment: dt.time) -> list[str]:
        """A time of day with its preposition: "v devět třicet", "ve čtrnáct hodin"."""
        if moment.second or moment.microsecond:
            raise OutOfDomain(f"times are spoken to the minute, got {moment.isoformat()}")
        spoken_minutes = (
            self.full_hour(moment.hour) if moment.minute == 0 else self.minutes(moment.minute)
        )
        return [ids.hour(moment.hour), *spoken_minutes]

    def full_hour(self, hour: int) -> list[str]:
        """What follows the hour when the minutes are zero (cs "hodin", ru "часов")."""
        return []

    def minutes(self, minute: int) -> list[str]:
        """Minutes 1–59: "nula pět", "patnáct", "třicet dva"."""
        if minute < 10:
            spoken = self.single_digit_minutes(minute)
        elif minute < 20:
            spoken = [ids.minute_teen(minute)]
        else:
            tens, unit = divmod(minute, 10)
            spoken = [ids.minute_tens(tens)] + ([ids.minute_unit(unit)] if unit else [])
        return [*spoken, ids.MINUTE_WORD] if self.says_minute_word else spoken

    def single_digit_minutes(self, minute: int) -> list[str]:
        """Minutes 1–9: "nula pět", "oh five"."""
        return [ids.MINUTE_ZERO, ids.minute_unit(minute)]

    # --- slots ---------------------------------------------------------------------------

    def slot(self, starts_at: dt.datetime) -> list[str]:
        """Weekday, date and time of a slot, in the wall-clock time ``starts_at`` carries."""
        return [
            *self.weekday(starts_at.date()),
            *self.date(starts_at.date()),
            *self.time(starts_at.time()),
        ]

    # --- digits --------------------------------------------------------------------------

    def digits(self, digits: str) -> list[str]:
        """Digit by digit (a passport number); the last digit closes the phrase."""
        _check_digit_string(digits)
        return self._group(digits)

    def reference(self, reference: str) -> list[str]:
        """A booking reference in groups (see ``reference_groups``), each group closed."""
        groups = reference_groups(reference)
        return [fragment for group in groups for fragment in self._group(group)]

    @staticmethod
    def _group(digits: Sequence[str]) -> list[str]:
        last = len(digits) - 1
        return [ids.digit(int(char), final=index == last) for index, char in enumerate(digits)]
