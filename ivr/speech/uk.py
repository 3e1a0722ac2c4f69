"""Ukrainian: the words and where Ukrainian grammar differs from the shared composition.

- Dates: genitive ordinal day + genitive month: "двадцять першого квітня", "п'ятого січня".
- Years: genitive ordinal, only the last word inflects, then "року":
  "тисяча дев'ятсот вісімдесят п'ятого року", "дві тисячі першого року"; a round century is
  one word: "тисяча дев'ятисотого року", "двохтисячного року".
- Times: 24-hour clock, the hour is a feminine ordinal in the locative after "о"
  ("годині" understood): "о чотирнадцятій тридцять", and "об" before a vowel:
  "об одинадцятій". Minutes are cardinal, feminine (хвилина): "двадцять одна", "нуль п'ять".
- A full hour adds "годині": "о дев'ятій годині", "об одинадцятій годині".
- Weekdays take "у": "у вівторок" (the у/в alternation depends on the preceding word; "у" is
  always correct before the consonant clusters of these names).
"""

from __future__ import annotations

from typing import ClassVar

from ivr.speech import ids
from ivr.speech.speaker import Speaker

_DIGITS = ("нуль", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім", "дев'ять")
_TEENS = (
    "десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять",
    "п'ятнадцять", "шістнадцять", "сімнадцять", "вісімнадцять", "дев'ятнадцять",
)  # fmt: skip
_TENS = {2: "двадцять", 3: "тридцять", 4: "сорок", 5: "п'ятдесят",
         6: "шістдесят", 7: "сімдесят", 8: "вісімдесят", 9: "дев'яносто"}  # fmt: skip
# Genitive masculine ordinals (for dates and years).
_ORDINAL_UNITS = ("", "першого", "другого", "третього", "четвертого", "п'ятого",
                  "шостого", "сьомого", "восьмого", "дев'ятого")  # fmt: skip
_ORDINAL_TEENS = (
    "десятого", "одинадцятого", "дванадцятого", "тринадцятого", "чотирнадцятого",
    "п'ятнадцятого", "шістнадцятого", "сімнадцятого", "вісімнадцятого", "дев'ятнадцятого",
)  # fmt: skip
_ORDINAL_TENS = {2: "двадцятого", 3: "тридцятого", 4: "сорокового", 5: "п'ятдесятого",
                 6: "шістдесятого", 7: "сімдесятого", 8: "вісімдесятого",
                 9: "дев'яностого"}  # fmt: skip
# Locative feminine ordinals for hours (о … годині).
_HOUR_UNITS = ("нульовій", "першій", "другій", "третій", "четвертій", "п'ятій",
               "шостій", "сьомій", "восьмій", "дев'ятій")  # fmt: skip
_HOUR_TEENS = (
    "десятій", "одинадцятій", "дванадцятій", "тринадцятій", "чотирнадцятій",
    "п'ятнадцятій", "шістнадцятій", "сімнадцятій", "вісімнадцятій", "дев'ятнадцятій",
)  # fmt: skip
_MINUTE_UNITS = ("", "одна", "дві", *_DIGITS[3:])


def _hour_phrase(ordinal: str) -> str:
    return f"об {ordinal}" if ordinal.startswith("о") else f"о {ordinal}"


TEXTS: dict[str, str] = {
    ids.weekday(1): "у понеділок",
    ids.weekday(2): "у вівторок",
    ids.weekday(3): "у середу",
    ids.weekday(4): "у четвер",
    ids.weekday(5): "у п'ятницю",
    ids.weekday(6): "у суботу",
    ids.weekday(7): "у неділю",
    **{ids.day(n): _ORDINAL_UNITS[n] for n in range(1, 10)},
    **{ids.day(10 + n): word for n, word in enumerate(_ORDINAL_TEENS)},
    ids.day(20): "двадцятого",
    **{ids.day(20 + n): f"двадцять {_ORDINAL_UNITS[n]}" for n in range(1, 10)},
    ids.day(30): "тридцятого",
    ids.day(31): "тридцять першого",
    ids.month(1): "січня",
    ids.month(2): "лютого",
    ids.month(3): "березня",
    ids.month(4): "квітня",
    ids.month(5): "травня",
    ids.month(6): "червня",
    ids.month(7): "липня",
    ids.month(8): "серпня",
    ids.month(9): "вересня",
    ids.month(10): "жовтня",
    ids.month(11): "листопада",
    ids.month(12): "грудня",
    ids.year_century(19): "тисяча дев'ятсот",
    ids.year_century(20): "дві тисячі",
    ids.year_round(1900): "тисяча дев'ятисотого",
    ids.year_round(2000): "двохтисячного",
    **{ids.year_tens(n): word for n, word in _TENS.items()},
    **{ids.year_tens_ordinal(n): word for n, word in _ORDINAL_TENS.items()},
    **{ids.year_teen(10 + n): word for n, word in enumerate(_ORDINAL_TEENS)},
    **{ids.year_unit(n): _ORDINAL_UNITS[n] for n in range(1, 10)},
    ids.YEAR_ZERO_TENS: "нуль",
    ids.YEAR_WORD: "року",
    **{ids.digit(n): _DIGITS[n] for n in range(10)},
    **{ids.digit(n, final=True): f"{_DIGITS[n]}," for n in range(10)},
    **{ids.hour(n): _hour_phrase(_HOUR_UNITS[n]) for n in range(10)},
    **{ids.hour(10 + n): _hour_phrase(word) for n, word in enumerate(_HOUR_TEENS)},
    ids.hour(20): "о двадцятій",
    **{ids.hour(20 + n): f"о двадцять {_HOUR_UNITS[n]}" for n in range(1, 4)},
    ids.HOURS_ONE: "годині",
    ids.HOURS_FEW: "години",
    ids.HOURS_MANY: "годин",
    ids.TIME_AM: "ранку",
    ids.TIME_PM: "дня",
    ids.MINUTE_ZERO: "нуль",
    **{ids.minute_unit(n): _MINUTE_UNITS[n] for n in range(1, 10)},
    **{ids.minute_teen(10 + n): word for n, word in enumerate(_TEENS)},
    **{ids.minute_tens(n): _TENS[n] for n in range(2, 6)},
    ids.MINUTE_WORD: "хвилин",
}


class UkrainianSpeaker(Speaker):
    """Ukrainian: ordinal genitive years with "року", "годині" after full hours."""

    language: ClassVar[str] = "uk"
    year_word_position = "after"
    round_tens_are_ordinal = True

    def full_hour(self, hour: int) -> list[str]:
        return [ids.HOURS_ONE]
