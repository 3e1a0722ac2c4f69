"""The grammar rules of docs/speech.md ("Grammar rules, per language"), written a second time.

This module composes what a caller should hear from the rules and from word lists of its own;
it imports nothing of `ivr.speech`. The golden tables are checked against it, and the speakers
against the tables, so a wrong word in a speaker's table or a wrong rule in its grammar fails
twice, and a rule is read here in the words of the document (the tags are the document's).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

# -- cs ---------------------------------------------------------------------------------------

CS_COUNT = ["nula", "jedna", "dva", "tři", "čtyři", "pět", "šest", "sedm", "osm", "devět",
            "deset", "jedenáct", "dvanáct", "třináct", "čtrnáct", "patnáct", "šestnáct",
            "sedmnáct", "osmnáct", "devatenáct"]
CS_TENS = {2: "dvacet", 3: "třicet", 4: "čtyřicet", 5: "padesát", 6: "šedesát",
           7: "sedmdesát", 8: "osmdesát", 9: "devadesát"}
CS_ORDINAL = ["", "prvního", "druhého", "třetího", "čtvrtého", "pátého", "šestého", "sedmého",
              "osmého", "devátého", "desátého", "jedenáctého", "dvanáctého", "třináctého",
              "čtrnáctého", "patnáctého", "šestnáctého", "sedmnáctého", "osmnáctého",
              "devatenáctého"]
CS_ORDINAL_TENS = {2: "dvacátého", 3: "třicátého"}
CS_MONTHS = ["ledna", "února", "března", "dubna", "května", "června", "července", "srpna",
             "září", "října", "listopadu", "prosince"]
CS_WEEKDAYS = ["pondělí", "úterý", "středu", "čtvrtek", "pátek", "sobotu", "neděli"]


def count(number: int, units: list[str], tens_words: dict[int, str]) -> str:
    """0–99 as cardinal words, tens then unit as two words ("dvacet jedna", "twenty one")."""
    if number < 20:
        return units[number]
    tens, unit = divmod(number, 10)
    return tens_words[tens] + (f" {units[unit]}" if unit else "")


def cs_count(number: int) -> str:
    """0–99 as counting numerals ("dvacet jedna", "dvacet dva")."""
    return count(number, CS_COUNT, CS_TENS)


def cs_v(word: str) -> str:
    """cs-D1, cs-T2: "ve" before a cluster the bare "v" cannot open."""
    return "ve" if word.startswith(("dv", "tř", "čt", "st")) else "v"


def cs_hour_word(hour: int) -> str:
    """cs-T3: accusative agreeing with "hodina"."""
    words = cs_count(hour).split()
    if words[-1] == "dva":
        words[-1] = "dvě"
    if hour == 1:
        words = ["jednu"]
    return " ".join(words)


def cs_hour_noun(hour_word: str) -> str:
    """cs-T4: agreement with the last word of the numeral."""
    if hour_word == "jednu":
        return "hodinu"
    if hour_word.split()[-1] in ("dvě", "tři", "čtyři"):
        return "hodiny"
    return "hodin"


def cs_time(moment: dt.time) -> str:
    hour = cs_hour_word(moment.hour)
    if moment.minute == 0:
        rest = cs_hour_noun(hour)
    elif moment.minute < 10:
        rest = f"nula {CS_COUNT[moment.minute]}"  # cs-T5
    else:
        rest = cs_count(moment.minute)
    return f"{cs_v(hour)} {hour} {rest}"


def cs_date(day: dt.date) -> str:
    weekday = CS_WEEKDAYS[day.weekday()]
    if day.day < 20:
        ordinal = CS_ORDINAL[day.day]
    else:
        tens, unit = divmod(day.day, 10)
        ordinal = CS_ORDINAL_TENS[tens] + (f" {CS_ORDINAL[unit]}" if unit else "")
    return f"{cs_v(weekday)} {weekday} {ordinal} {CS_MONTHS[day.month - 1]}"


def cs_year(year: int) -> str:
    """cs-Y1."""
    head = "tisíc devět set" if year < 2000 else "dva tisíce"
    rest = year % 100
    return head + (f" {cs_count(rest)}" if rest else "")


# -- en ---------------------------------------------------------------------------------------

EN_COUNT = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
            "seventeen", "eighteen", "nineteen"]
EN_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy",
           8: "eighty", 9: "ninety"}
EN_ORDINAL = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
              "ninth", "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth",
              "sixteenth", "seventeenth", "eighteenth", "nineteenth"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def en_count(number: int) -> str:
    return count(number, EN_COUNT, EN_TENS)


def en_time(moment: dt.time) -> str:
    hour = EN_COUNT[moment.hour % 12] if moment.hour % 12 else "twelve"  # en-T1
    half = "a.m." if moment.hour < 12 else "p.m."
    if moment.minute == 0:
        return f"at {hour} {half}"  # en-T2
    minutes = f"oh {EN_COUNT[moment.minute]}" if moment.minute < 10 else en_count(moment.minute)
    return f"at {hour} {minutes} {half}"


def en_date(day: dt.date) -> str:
    if day.day < 20:
        ordinal = EN_ORDINAL[day.day]
    elif day.day % 10 == 0:
        ordinal = {20: "twentieth", 30: "thirtieth"}[day.day]
    else:
        ordinal = f"{EN_TENS[day.day // 10]}-{EN_ORDINAL[day.day % 10]}"
    return f"on {EN_WEEKDAYS[day.weekday()]} {EN_MONTHS[day.month - 1]} {ordinal}"


def en_year(year: int) -> str:
    """en-Y1."""
    rest = year % 100
    if year >= 2000:
        return "two thousand" + (f" {en_count(rest)}" if rest else "")
    if rest == 0:
        return "nineteen hundred"
    return "nineteen " + (f"oh {EN_COUNT[rest]}" if rest < 10 else en_count(rest))


# -- uk ---------------------------------------------------------------------------------------

UK_COUNT = ["нуль", "один", "два", "три", "чотири", "п'ять", "шість", "сім", "вісім",
            "дев'ять", "десять", "одинадцять", "дванадцять", "тринадцять", "чотирнадцять",
            "п'ятнадцять", "шістнадцять", "сімнадцять", "вісімнадцять", "дев'ятнадцять"]
UK_TENS = {2: "двадцять", 3: "тридцять", 4: "сорок", 5: "п'ятдесят", 6: "шістдесят",
           7: "сімдесят", 8: "вісімдесят", 9: "дев'яносто"}
UK_ORDINAL_STEMS = ["", "перш", "друг", "трет", "четверт", "п'ят", "шост", "сьом", "восьм",
                    "дев'ят", "десят", "одинадцят", "дванадцят", "тринадцят", "чотирнадцят",
                    "п'ятнадцят", "шістнадцят", "сімнадцят", "вісімнадцят", "дев'ятнадцят"]
UK_ORDINAL_TENS_STEMS = {2: "двадцят", 3: "тридцят", 4: "сороков", 5: "п'ятдесят",
                         6: "шістдесят", 7: "сімдесят", 8: "вісімдесят", 9: "дев'яност"}
UK_MONTHS = ["січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня",
             "вересня", "жовтня", "листопада", "грудня"]
UK_WEEKDAYS = ["понеділок", "вівторок", "середу", "четвер", "п'ятницю", "суботу", "неділю"]
UK_SOFT = {"трет"}  # третій: soft stem, genitive третього


def uk_ordinal(number: int, *, locative_feminine: bool) -> str:
    """Ordinal of 1–99, only the last word inflected: genitive masculine or locative feminine."""
    def inflect(stem: str) -> str:
        if locative_feminine:
            return stem + "ій"
        return stem + ("ього" if stem in UK_SOFT else "ого")

    if number < 20:
        return inflect(UK_ORDINAL_STEMS[number])
    tens, unit = divmod(number, 10)
    if unit == 0:
        return inflect(UK_ORDINAL_TENS_STEMS[tens])
    return f"{UK_TENS[tens]} {inflect(UK_ORDINAL_STEMS[unit])}"


def uk_minutes(minute: int) -> str:
    """uk-T5: feminine cardinals."""
    feminine = {1: "одна", 2: "дві"}
    if minute < 10:
        return f"нуль {feminine.get(minute, UK_COUNT[minute])}"
    if minute < 20:
        return UK_COUNT[minute]
    tens, unit = divmod(minute, 10)
    return UK_TENS[tens] + (f" {feminine.get(unit, UK_COUNT[unit])}" if unit else "")


def uk_time(moment: dt.time) -> str:
    hour = "нульовій" if moment.hour == 0 else uk_ordinal(moment.hour, locative_feminine=True)
    preposition = "об" if hour[0] in "аеєиіїоуюя" else "о"  # uk-T2
    rest = "годині" if moment.minute == 0 else uk_minutes(moment.minute)  # uk-T4
    return f"{preposition} {hour} {rest}"


def uk_date(day: dt.date) -> str:
    return (f"у {UK_WEEKDAYS[day.weekday()]} {uk_ordinal(day.day, locative_feminine=False)} "
            f"{UK_MONTHS[day.month - 1]}")


def ordinal_year(year: int, *, rounds: tuple[str, str], heads: tuple[str, str],
                 ordinal: Callable[[int], str], word: str) -> str:
    """uk-Y1, ru-Y1: a genitive ordinal of which only the last word inflects, then the word for
    "year"; a round century is one ordinal word. `rounds`, `heads`: for 1900 and 2000."""
    century = 0 if year < 2000 else 1
    rest = year % 100
    number = rounds[century] if rest == 0 else f"{heads[century]} {ordinal(rest)}"
    return f"{number} {word}"


def uk_year(year: int) -> str:
    return ordinal_year(year, rounds=("тисяча дев'ятисотого", "двохтисячного"),
                        heads=("тисяча дев'ятсот", "дві тисячі"),
                        ordinal=lambda n: uk_ordinal(n, locative_feminine=False), word="року")


# -- ru ---------------------------------------------------------------------------------------

RU_COUNT = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь",
            "девять", "десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
            "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать"]
RU_TENS = {2: "двадцать", 3: "тридцать", 4: "сорок", 5: "пятьдесят", 6: "шестьдесят",
           7: "семьдесят", 8: "восемьдесят", 9: "девяносто"}
RU_ORDINAL = ["", "первого", "второго", "третьего", "четвёртого", "пятого", "шестого",
              "седьмого", "восьмого", "девятого", "десятого", "одиннадцатого", "двенадцатого",
              "тринадцатого", "четырнадцатого", "пятнадцатого", "шестнадцатого",
              "семнадцатого", "восемнадцатого", "девятнадцатого"]
RU_ORDINAL_TENS = {2: "двадцатого", 3: "тридцатого", 4: "сорокового", 5: "пятидесятого",
                   6: "шестидесятого", 7: "семидесятого", 8: "восьмидесятого",
                   9: "девяностого"}
RU_MONTHS = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
             "сентября", "октября", "ноября", "декабря"]
RU_WEEKDAYS = ["понедельник", "вторник", "среду", "четверг", "пятницу", "субботу",
               "воскресенье"]


def ru_count(number: int, *, feminine: bool = False) -> str:
    def unit_word(unit: int) -> str:
        return {1: "одна", 2: "две"}.get(unit, RU_COUNT[unit]) if feminine else RU_COUNT[unit]

    if number < 20:
        return unit_word(number) if number < 10 else RU_COUNT[number]
    tens, unit = divmod(number, 10)
    return RU_TENS[tens] + (f" {unit_word(unit)}" if unit else "")


def ru_hours_noun(hour: int) -> str:
    """ru-T3: the plural rule."""
    if hour % 10 == 1 and hour % 100 != 11:
        return "час"
    if hour % 10 in (2, 3, 4) and hour % 100 not in (12, 13, 14):
        return "часа"
    return "часов"


def ru_time(moment: dt.time) -> str:
    if moment.minute == 0:
        rest = "" if moment.hour == 1 else f" {ru_hours_noun(moment.hour)}"
    elif moment.minute < 10:
        rest = f" ноль {ru_count(moment.minute, feminine=True)}"  # ru-T4
    else:
        rest = f" {ru_count(moment.minute, feminine=True)}"
    hour = "час" if moment.hour == 1 else ru_count(moment.hour)  # ru-T2
    return f"в {hour}{rest}"


def ru_ordinal(number: int) -> str:
    if number < 20:
        return RU_ORDINAL[number]
    tens, unit = divmod(number, 10)
    return RU_ORDINAL_TENS[tens] if unit == 0 else f"{RU_TENS[tens]} {RU_ORDINAL[unit]}"


def ru_date(day: dt.date) -> str:
    weekday = RU_WEEKDAYS[day.weekday()]
    preposition = "во" if weekday.startswith("вт") else "в"  # ru-D1
    return f"{preposition} {weekday} {ru_ordinal(day.day)} {RU_MONTHS[day.month - 1]}"


def ru_year(year: int) -> str:
    return ordinal_year(year, rounds=("тысяча девятисотого", "двухтысячного"),
                        heads=("тысяча девятьсот", "две тысячи"), ordinal=ru_ordinal,
                        word="года")


# -- vi ---------------------------------------------------------------------------------------

VI_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
VI_WEEKDAYS = ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"]
VI_MONTHS = ["tháng một", "tháng hai", "tháng ba", "tháng tư", "tháng năm", "tháng sáu",
             "tháng bảy", "tháng tám", "tháng chín", "tháng mười", "tháng mười một",
             "tháng mười hai"]


def vi_number(number: int) -> str:
    """vi-N1, for 0–99."""
    if number < 10:
        return VI_DIGITS[number]
    tens, unit = divmod(number, 10)
    if tens == 1:
        return "mười" + ("" if unit == 0 else " lăm" if unit == 5 else f" {VI_DIGITS[unit]}")
    after_muoi = {1: "mốt", 4: "tư", 5: "lăm"}
    head = f"{VI_DIGITS[tens]} mươi"
    return head if unit == 0 else f"{head} {after_muoi.get(unit, VI_DIGITS[unit])}"


def vi_time(moment: dt.time) -> str:
    hour = f"lúc {vi_number(moment.hour)} giờ"
    return hour if moment.minute == 0 else f"{hour} {vi_number(moment.minute)} phút"


def vi_date(day: dt.date) -> str:
    mong = "mồng " if day.day <= 10 else ""
    weekday, month = VI_WEEKDAYS[day.weekday()], VI_MONTHS[day.month - 1]
    return f"{weekday} ngày {mong}{vi_number(day.day)} {month}"


def vi_year(year: int) -> str:
    """vi-Y1."""
    rest = year % 100
    if year == 2000:
        return "năm hai nghìn"
    head = "một nghìn chín trăm" if year < 2000 else "hai nghìn không trăm"
    if rest == 0:
        return f"năm {head}"
    tail = f"linh {VI_DIGITS[rest]}" if rest < 10 else vi_number(rest)
    return f"năm {head} {tail}"


TIME = {"cs": cs_time, "en": en_time, "uk": uk_time, "ru": ru_time, "vi": vi_time}
DATE = {"cs": cs_date, "en": en_date, "uk": uk_date, "ru": ru_date, "vi": vi_date}
YEAR = {"cs": cs_year, "en": en_year, "uk": uk_year, "ru": ru_year, "vi": vi_year}
