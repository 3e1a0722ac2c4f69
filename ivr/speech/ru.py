"""Russian: the words and where Russian grammar differs from the shared composition.

- Dates: genitive ordinal day (neuter/masculine "числа" understood) + genitive month:
  "двадцать первого апреля", "пятого января".
- Years: an ordinal in the genitive, of which only the last word inflects, then "года":
  "тысяча девятьсот восемьдесят пятого года", "две тысячи первого года",
  "две тысячи десятого года", "тысяча девятьсот восьмидесятого года". A round century is a
  single ordinal word: "тысяча девятисотого года", "двухтысячного года".
- Times: 24-hour clock, "в четырнадцать тридцать", "в одиннадцать ноль пять". Minutes are
  feminine (минута): "двадцать одна", "ноль две".
- A full hour adds the noun by the Russian plural rule: "в два часа", "в пять часов",
  "в двадцать один час"; one o'clock is the single phrase "в час".
"""

from __future__ import annotations

from typing import ClassVar

from ivr.speech import ids
from ivr.speech.speaker import Speaker

_DIGITS = ("ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять")
_TEENS = (
    "десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
    "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать",
)  # fmt: skip
_TENS = {2: "двадцать", 3: "тридцать", 4: "сорок", 5: "пятьдесят",
         6: "шестьдесят", 7: "семьдесят", 8: "восемьдесят", 9: "девяносто"}  # fmt: skip
# Genitive masculine/neuter ordinals 1–9 and 10–19.
_ORDINAL_UNITS = ("", "первого", "второго", "третьего", "четвёртого", "пятого",
                  "шестого", "седьмого", "восьмого", "девятого")  # fmt: skip
_ORDINAL_TEENS = (
    "десятого", "одиннадцатого", "двенадцатого", "тринадцатого", "четырнадцатого",
    "пятнадцатого", "шестнадцатого", "семнадцатого", "восемнадцатого", "девятнадцатого",
)  # fmt: skip
_ORDINAL_TENS = {2: "двадцатого", 3: "тридцатого", 4: "сорокового", 5: "пятидесятого",
                 6: "шестидесятого", 7: "семидесятого", 8: "восьмидесятого",
                 9: "девяностого"}  # fmt: skip
# Feminine forms for minutes (минута).
_MINUTE_UNITS = ("", "одна", "две", *_DIGITS[3:])

TEXTS: dict[str, str] = {
    ids.weekday(1): "в понедельник",
    ids.weekday(2): "во вторник",
    ids.weekday(3): "в среду",
    ids.weekday(4): "в четверг",
    ids.weekday(5): "в пятницу",
    ids.weekday(6): "в субботу",
    ids.weekday(7): "в воскресенье",
    **{ids.day(n): _ORDINAL_UNITS[n] for n in range(1, 10)},
    **{ids.day(10 + n): word for n, word in enumerate(_ORDINAL_TEENS)},
    ids.day(20): "двадцатого",
    **{ids.day(20 + n): f"двадцать {_ORDINAL_UNITS[n]}" for n in range(1, 10)},
    ids.day(30): "тридцатого",
    ids.day(31): "тридцать первого",
    ids.month(1): "января",
    ids.month(2): "февраля",
    ids.month(3): "марта",
    ids.month(4): "апреля",
    ids.month(5): "мая",
    ids.month(6): "июня",
    ids.month(7): "июля",
    ids.month(8): "августа",
    ids.month(9): "сентября",
    ids.month(10): "октября",
    ids.month(11): "ноября",
    ids.month(12): "декабря",
    ids.year_century(19): "тысяча девятьсот",
    ids.year_century(20): "две тысячи",
    ids.year_round(1900): "тысяча девятисотого",
    ids.year_round(2000): "двухтысячного",
    **{ids.year_tens(n): word for n, word in _TENS.items()},
    **{ids.year_tens_ordinal(n): word for n, word in _ORDINAL_TENS.items()},
    **{ids.year_teen(10 + n): word for n, word in enumerate(_ORDINAL_TEENS)},
    **{ids.year_unit(n): _ORDINAL_UNITS[n] for n in range(1, 10)},
    ids.YEAR_ZERO_TENS: "ноль",
    ids.YEAR_WORD: "года",
    **{ids.digit(n): _DIGITS[n] for n in range(10)},
    **{ids.digit(n, final=True): f"{_DIGITS[n]}," for n in range(10)},
    ids.hour(0): "в ноль",
    ids.hour(1): "в час",
    **{ids.hour(n): f"в {_DIGITS[n]}" for n in range(2, 10)},
    **{ids.hour(10 + n): f"в {word}" for n, word in enumerate(_TEENS)},
    ids.hour(20): "в двадцать",
    ids.hour(21): "в двадцать один",
    ids.hour(22): "в двадцать два",
    ids.hour(23): "в двадцать три",
    ids.HOURS_ONE: "час",
    ids.HOURS_FEW: "часа",
    ids.HOURS_MANY: "часов",
    ids.TIME_AM: "утра",
    ids.TIME_PM: "дня",
    ids.MINUTE_ZERO: "ноль",
    **{ids.minute_unit(n): _MINUTE_UNITS[n] for n in range(1, 10)},
    **{ids.minute_teen(10 + n): word for n, word in enumerate(_TEENS)},
    **{ids.minute_tens(n): _TENS[n] for n in range(2, 6)},
    ids.MINUTE_WORD: "минут",
}


def plural_class(number: int) -> str:
    """The Russian (and Ukrainian) plural rule: 1, 21 → one; 2–4, 22–24 → few; else many."""
    if number % 10 == 1 and number % 100 != 11:
        return ids.HOURS_ONE
    if number % 10 in (2, 3, 4) and number % 100 not in (12, 13, 14):
        return ids.HOURS_FEW
    return ids.HOURS_MANY


class RussianSpeaker(Speaker):
    """Russian: ordinal genitive years with "года", nouns after full hours."""

    language: ClassVar[str] = "ru"
    year_word_position = "after"
    round_tens_are_ordinal = True

    def full_hour(self, hour: int) -> list[str]:
        if hour == 1:
            return []  # "в час" already says the hour and the noun
        return [plural_class(hour)]
