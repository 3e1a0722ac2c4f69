"""Vietnamese: the words and where Vietnamese grammar differs from the shared composition.

- Number words change inside numbers: after "mươi" (tens from twenty) 1 is "mốt", 4 is "tư",
  5 is "lăm" ("hai mươi mốt", "ba mươi tư", "hai mươi lăm"); after "mười" 5 is "lăm" but 1 is
  "một" ("mười một", "mười lăm"); alone or after "linh" they stay "một", "bốn", "năm".
- Dates: "ngày hai mươi mốt tháng tư"; days 1–10 take "mồng": "ngày mồng năm tháng một".
- Years: "năm" before the number: "năm một nghìn chín trăm tám mươi lăm",
  "năm hai nghìn không trăm linh một", "năm hai nghìn". Years ending 01–09 read the digit
  after "linh" in its plain form (digit fragments), so 2005 is "linh năm", not "linh lăm".
- Times: "lúc mười bốn giờ ba mươi phút", "lúc mười một giờ năm phút", full hours
  "lúc chín giờ" (the hour fragment carries "lúc … giờ").
- Weekdays: "thứ ba", "chủ nhật", without a preposition.
"""

from __future__ import annotations

from typing import ClassVar

from ivr.speech import ids
from ivr.speech.speaker import Speaker

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
# Units after "mươi": the mốt / tư / lăm forms.
_AFTER_TENS = ("", "mốt", "hai", "ba", "tư", "lăm", "sáu", "bảy", "tám", "chín")
_TEENS = ("mười", "mười một", "mười hai", "mười ba", "mười bốn",
          "mười lăm", "mười sáu", "mười bảy", "mười tám", "mười chín")  # fmt: skip


def _tens(tens: int) -> str:
    return f"{_DIGITS[tens]} mươi"


def number_words(number: int) -> str:
    """0–99 in words, with mốt/tư/lăm after "mươi" (used to build the tables below)."""
    if number < 10:
        return _DIGITS[number]
    if number < 20:
        return _TEENS[number - 10]
    tens, unit = divmod(number, 10)
    return _tens(tens) if unit == 0 else f"{_tens(tens)} {_AFTER_TENS[unit]}"


TEXTS: dict[str, str] = {
    ids.weekday(1): "thứ hai",
    ids.weekday(2): "thứ ba",
    ids.weekday(3): "thứ tư",
    ids.weekday(4): "thứ năm",
    ids.weekday(5): "thứ sáu",
    ids.weekday(6): "thứ bảy",
    ids.weekday(7): "chủ nhật",
    **{ids.day(n): f"ngày mồng {number_words(n)}" for n in range(1, 11)},
    **{ids.day(n): f"ngày {number_words(n)}" for n in range(11, 32)},
    ids.month(1): "tháng một",
    ids.month(2): "tháng hai",
    ids.month(3): "tháng ba",
    ids.month(4): "tháng tư",
    ids.month(5): "tháng năm",
    ids.month(6): "tháng sáu",
    ids.month(7): "tháng bảy",
    ids.month(8): "tháng tám",
    ids.month(9): "tháng chín",
    ids.month(10): "tháng mười",
    ids.month(11): "tháng mười một",
    ids.month(12): "tháng mười hai",
    ids.year_century(19): "một nghìn chín trăm",
    ids.year_century(20): "hai nghìn không trăm",
    ids.year_round(1900): "một nghìn chín trăm",
    ids.year_round(2000): "hai nghìn",
    **{ids.year_tens(n): _tens(n) for n in range(2, 10)},
    **{ids.year_tens_ordinal(n): _tens(n) for n in range(2, 10)},
    **{ids.year_teen(n): number_words(n) for n in range(10, 20)},
    **{ids.year_unit(n): _AFTER_TENS[n] for n in range(1, 10)},
    ids.YEAR_ZERO_TENS: "linh",
    ids.YEAR_WORD: "năm",
    **{ids.digit(n): _DIGITS[n] for n in range(10)},
    **{ids.digit(n, final=True): f"{_DIGITS[n]}," for n in range(10)},
    **{ids.hour(n): f"lúc {number_words(n)} giờ" for n in range(24)},
    ids.HOURS_ONE: "giờ",
    ids.HOURS_FEW: "giờ",
    ids.HOURS_MANY: "giờ",
    ids.TIME_AM: "sáng",
    ids.TIME_PM: "chiều",
    ids.MINUTE_ZERO: "không",
    **{ids.minute_unit(n): _AFTER_TENS[n] for n in range(1, 10)},
    **{ids.minute_teen(n): number_words(n) for n in range(10, 20)},
    **{ids.minute_tens(n): _tens(n) for n in range(2, 6)},
    ids.MINUTE_WORD: "phút",
}


class VietnameseSpeaker(Speaker):
    """Vietnamese: "năm" before years, "linh" + plain digit, "phút" after minutes."""

    language: ClassVar[str] = "vi"
    year_word_position = "before"
    says_minute_word = True

    def year_single_digit_tail(self, century: int, unit: int) -> list[str]:
        return [ids.YEAR_ZERO_TENS, ids.digit(unit)]

    def single_digit_minutes(self, minute: int) -> list[str]:
        return [ids.digit(minute)]
