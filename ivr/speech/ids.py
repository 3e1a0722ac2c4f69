"""The fragment ids of dynamic speech, in one place.

An id names a *meaning slot* ("the day 21 in the form a date needs"), never a word: each
language's table (``ivr/speech/<lang>.py``) holds the inflected text for it, and each
language's grammar (``ivr/speech/grammar.py``) decides which ids to play and in which order.
Some ids are played only by some languages (``time-am`` only in English, ``year-word`` only in
Russian, Ukrainian and Vietnamese); they still carry a text in all five languages because the
catalog contract says every id exists in every language.

``fragment_ids()`` is the closed set of ids the speech module can ever produce; the catalog
export and the catalog checks are built on it. ``describe(id)`` says, in English, where a
fragment is heard: the context a voice artist reads with it (the export writes it as the
catalog's ``note``).
"""

from __future__ import annotations

WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

FIRST_YEAR = 1900
LAST_YEAR = 2099


def weekday(iso_weekday: int) -> str:
    """``weekday-tuesday``: the weekday with its preposition ("on Tuesday")."""
    return f"weekday-{WEEKDAY_NAMES[iso_weekday - 1]}"


def day(day_of_month: int) -> str:
    """``date-day-21``: the day of the month as a date needs it (cs/ru/uk genitive ordinal)."""
    return f"date-day-{day_of_month}"


def month(month_number: int) -> str:
    """``date-month-4``: the month as a date needs it (cs/ru/uk genitive)."""
    return f"date-month-{month_number}"


def year_century(century: int) -> str:
    """``year-century-19``: the start of a year of that century whose last two digits are not 00."""
    return f"year-century-{century}"


def year_round(year: int) -> str:
    """``year-2000``: a whole year ending in 00 (ru/uk need a single ordinal word for it)."""
    return f"year-{year}"


def year_tens(tens: int) -> str:
    """``year-tens-8``: the tens of a year followed by a unit ("eighty" in 1985)."""
    return f"year-tens-{tens}"


def year_tens_ordinal(tens: int) -> str:
    """``year-tens-ordinal-8``: the tens ending a year (ru "восьмидесятого" in 1980)."""
    return f"year-tens-ordinal-{tens}"


def year_teen(number: int) -> str:
    """``year-teen-15``: a year ending in 10-19."""
    return f"year-teen-{number}"


def year_unit(unit: int) -> str:
    """``year-unit-5``: the last digit of a year (ru "пятого", vi "lăm" after tens)."""
    return f"year-unit-{unit}"


YEAR_ZERO_TENS = "year-zero-tens"  # en "oh" in 1905, vi "linh"
YEAR_WORD = "year-word"  # ru "года", uk "року", vi "năm" (before the number)


def digit(value: int, *, final: bool = False) -> str:
    """``digit-4`` inside a group, ``digit-4-final`` closing a group (falling intonation)."""
    return f"digit-{value}-final" if final else f"digit-{value}"


def hour(value: int) -> str:
    """``time-hour-14``: the hour with its preposition ("ve čtrnáct", "об одинадцятій")."""
    return f"time-hour-{value}"


HOURS_ONE = "time-hours-one"  # the noun after a full hour, by plural class
HOURS_FEW = "time-hours-few"
HOURS_MANY = "time-hours-many"
TIME_AM = "time-am"
TIME_PM = "time-pm"

MINUTE_ZERO = "time-minute-zero"  # "nula" / "oh" before a one-digit minute


def minute_unit(unit: int) -> str:
    """``time-minute-unit-1``: a minute unit (ru/uk feminine "одна", vi "mốt" after tens)."""
    return f"time-minute-unit-{unit}"


def minute_teen(number: int) -> str:
    """``time-minute-teen-15``: minutes 10-19."""
    return f"time-minute-teen-{number}"


def minute_tens(tens: int) -> str:
    """``time-minute-tens-3``: minutes 20, 30, 40, 50, alone or before a unit."""
    return f"time-minute-tens-{tens}"


MINUTE_WORD = "time-minute-word"  # vi "phút" after the minutes


def fragment_ids() -> set[str]:
    """Every id the speech module can produce, in any language."""
    ids = {weekday(n) for n in range(1, 8)}
    ids |= {day(n) for n in range(1, 32)}
    ids |= {month(n) for n in range(1, 13)}
    ids |= {year_century(19), year_century(20), year_round(1900), year_round(2000)}
    ids |= {year_tens(n) for n in range(2, 10)}
    ids |= {year_tens_ordinal(n) for n in range(2, 10)}
    ids |= {year_teen(n) for n in range(10, 20)}
    ids |= {year_unit(n) for n in range(1, 10)}
    ids |= {YEAR_ZERO_TENS, YEAR_WORD}
    ids |= {digit(n, final=final) for n in range(10) for final in (False, True)}
    ids |= {hour(n) for n in range(24)}
    ids |= {HOURS_ONE, HOURS_FEW, HOURS_MANY, TIME_AM, TIME_PM, MINUTE_ZERO, MINUTE_WORD}
    ids |= {minute_unit(n) for n in range(1, 10)}
    ids |= {minute_teen(n) for n in range(10, 20)}
    ids |= {minute_tens(n) for n in range(2, 6)}
    return ids


_CONTEXTS: tuple[tuple[str, str], ...] = (
    ("weekday-", "Weekday of an appointment with its preposition ('on Tuesday'); the date"
                 " follows."),
    ("date-day-", "Day of the month in a date ('the twenty-first'); the month follows (in"
                  " English it comes after the month)."),
    ("date-month-", "Month in a date, after the day (in English before the day)."),
    ("year-word", "The word for 'year' around a year in a date of birth."),
    ("year-", "Part of a year in a date of birth, said as one number with the parts around it"
              " ('nineteen | eighty | five')."),
    ("digit-", "A digit inside a group of a passport number or booking reference: more digits"
               " follow at once."),
    ("time-hour-", "Hour of an appointment with its preposition ('at fourteen'); minutes or the"
                   " word for 'o'clock' follow."),
    ("time-hours-", "The word for 'o'clock' after a full hour ('at nine | o'clock')."),
    ("time-am", "After an English time before noon."),
    ("time-pm", "After an English time from noon."),
    ("time-minute-word", "The word for 'minutes' after the minutes of a time."),
    ("time-minute-", "Minutes of an appointment time, right after the hour."),
)


def describe(fragment: str) -> str:
    """Where ``fragment`` is heard, for a voice artist."""
    if fragment.startswith("digit-") and fragment.endswith("-final"):
        return ("A digit closing a group of a passport number or booking reference: a falling"
                " tone, a short pause follows.")
    for prefix, context in _CONTEXTS:
        if fragment.startswith(prefix):
            return context
    raise KeyError(f"no context for fragment {fragment!r}")
