"""English: the words and where English grammar differs from the shared composition.

- Dates: month first, then the ordinal day, "April twenty-first" (the order English speakers
  use when speaking a date, in the US and most of the UK's phone services).
- Years: "nineteen eighty-five" (split in two pairs), "nineteen oh five", "nineteen hundred",
  "two thousand", "two thousand one", "two thousand twenty-five". The last form is used for
  2010 onwards too ("two thousand ten" rather than "twenty ten"): one rule, never ambiguous.
- Times: the 12-hour clock with "a.m."/"p.m.": "at two thirty p.m.", "at nine a.m.",
  "at eleven oh five a.m.". Most callers choosing English are not native speakers; the
  12-hour clock is what spoken English uses, and "p.m." removes the doubt a 24-hour
  "fourteen thirty" (rare in speech) or a bare "two thirty" would leave.
- Full hours need no noun: "at nine a.m.".
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from ivr.speech import ids
from ivr.speech.speaker import Speaker

_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty",
         6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}  # fmt: skip
_ORDINAL_UNITS = ("", "first", "second", "third", "fourth", "fifth",
                  "sixth", "seventh", "eighth", "ninth")  # fmt: skip
_ORDINAL_TEENS = (
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth",
    "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
)  # fmt: skip
_TWELVE_HOUR = ("twelve", *_DIGITS[1:], "ten", "eleven")

TEXTS: dict[str, str] = {
    ids.weekday(1): "on Monday",
    ids.weekday(2): "on Tuesday",
    ids.weekday(3): "on Wednesday",
    ids.weekday(4): "on Thursday",
    ids.weekday(5): "on Friday",
    ids.weekday(6): "on Saturday",
    ids.weekday(7): "on Sunday",
    **{ids.day(n): _ORDINAL_UNITS[n] for n in range(1, 10)},
    **{ids.day(10 + n): word for n, word in enumerate(_ORDINAL_TEENS)},
    ids.day(20): "twentieth",
    **{ids.day(20 + n): f"twenty-{_ORDINAL_UNITS[n]}" for n in range(1, 10)},
    ids.day(30): "thirtieth",
    ids.day(31): "thirty-first",
    ids.month(1): "January",
    ids.month(2): "February",
    ids.month(3): "March",
    ids.month(4): "April",
    ids.month(5): "May",
    ids.month(6): "June",
    ids.month(7): "July",
    ids.month(8): "August",
    ids.month(9): "September",
    ids.month(10): "October",
    ids.month(11): "November",
    ids.month(12): "December",
    ids.year_century(19): "nineteen",
    ids.year_century(20): "two thousand",
    ids.year_round(1900): "nineteen hundred",
    ids.year_round(2000): "two thousand",
    **{ids.year_tens(n): word for n, word in _TENS.items()},
    ids.year_tens_ordinal(2): "twentieth",
    ids.year_tens_ordinal(3): "thirtieth",
    ids.year_tens_ordinal(4): "fortieth",
    ids.year_tens_ordinal(5): "fiftieth",
    ids.year_tens_ordinal(6): "sixtieth",
    ids.year_tens_ordinal(7): "seventieth",
    ids.year_tens_ordinal(8): "eightieth",
    ids.year_tens_ordinal(9): "ninetieth",
    **{ids.year_teen(10 + n): word for n, word in enumerate(_TEENS)},
    **{ids.year_unit(n): _DIGITS[n] for n in range(1, 10)},
    ids.YEAR_ZERO_TENS: "oh",
    ids.YEAR_WORD: "in the year",
    **{ids.digit(n): _DIGITS[n] for n in range(10)},
    **{ids.digit(n, final=True): f"{_DIGITS[n]}," for n in range(10)},
    **{ids.hour(n): f"at {_TWELVE_HOUR[n % 12]}" for n in range(24)},
    ids.HOURS_ONE: "o'clock",
    ids.HOURS_FEW: "o'clock",
    ids.HOURS_MANY: "o'clock",
    ids.TIME_AM: "a.m.",
    ids.TIME_PM: "p.m.",
    ids.MINUTE_ZERO: "oh",
    **{ids.minute_unit(n): _DIGITS[n] for n in range(1, 10)},
    **{ids.minute_teen(10 + n): word for n, word in enumerate(_TEENS)},
    **{ids.minute_tens(n): _TENS[n] for n in range(2, 6)},
    ids.MINUTE_WORD: "minutes",
}


class EnglishSpeaker(Speaker):
    """English: month before day, "oh" in 1905, 12-hour clock with a.m./p.m."""

    language: ClassVar[str] = "en"

    def date(self, day: dt.date) -> list[str]:
        return [ids.month(day.month), ids.day(day.day)]

    def year_single_digit_tail(self, century: int, unit: int) -> list[str]:
        if century == 19:
            return [ids.YEAR_ZERO_TENS, ids.year_unit(unit)]
        return [ids.year_unit(unit)]

    def time(self, moment: dt.time) -> list[str]:
        return [*super().time(moment), ids.TIME_AM if moment.hour < 12 else ids.TIME_PM]
