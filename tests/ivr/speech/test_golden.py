"""Golden tables: what a caller hears, per language, for real dates, times and references.

Each table is written by hand from the grammar of the language (docs/speech.md), never
generated from the code under test.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ivr.speech.conftest import Hear

D = dt.date
T = dt.time

DATES = {
    "cs": [
        (D(2026, 1, 5), "pátého ledna"),
        (D(2026, 2, 1), "prvního února"),
        (D(2026, 3, 2), "druhého března"),
        (D(2026, 4, 21), "dvacátého prvního dubna"),
        (D(2026, 5, 3), "třetího května"),
        (D(2026, 6, 4), "čtvrtého června"),
        (D(2026, 7, 11), "jedenáctého července"),
        (D(2026, 8, 14), "čtrnáctého srpna"),
        (D(2026, 9, 20), "dvacátého září"),
        (D(2026, 10, 22), "dvacátého druhého října"),
        (D(2026, 11, 30), "třicátého listopadu"),
        (D(2026, 12, 31), "třicátého prvního prosince"),
        (D(2026, 1, 19), "devatenáctého ledna"),
        (D(2026, 3, 29), "dvacátého devátého března"),
    ],
    "en": [
        (D(2026, 1, 5), "January fifth"),
        (D(2026, 2, 1), "February first"),
        (D(2026, 3, 2), "March second"),
        (D(2026, 4, 21), "April twenty-first"),
        (D(2026, 5, 3), "May third"),
        (D(2026, 6, 12), "June twelfth"),
        (D(2026, 7, 11), "July eleventh"),
        (D(2026, 8, 20), "August twentieth"),
        (D(2026, 9, 22), "September twenty-second"),
        (D(2026, 10, 23), "October twenty-third"),
        (D(2026, 11, 30), "November thirtieth"),
        (D(2026, 12, 31), "December thirty-first"),
    ],
    "uk": [
        (D(2026, 1, 5), "п'ятого січня"),
        (D(2026, 2, 1), "першого лютого"),
        (D(2026, 3, 2), "другого березня"),
        (D(2026, 4, 21), "двадцять першого квітня"),
        (D(2026, 5, 3), "третього травня"),
        (D(2026, 6, 4), "четвертого червня"),
        (D(2026, 7, 7), "сьомого липня"),
        (D(2026, 8, 16), "шістнадцятого серпня"),
        (D(2026, 9, 20), "двадцятого вересня"),
        (D(2026, 10, 28), "двадцять восьмого жовтня"),
        (D(2026, 11, 30), "тридцятого листопада"),
        (D(2026, 12, 31), "тридцять першого грудня"),
    ],
    "ru": [
        (D(2026, 1, 5), "пятого января"),
        (D(2026, 2, 1), "первого февраля"),
        (D(2026, 3, 2), "второго марта"),
        (D(2026, 4, 21), "двадцать первого апреля"),
        (D(2026, 5, 3), "третьего мая"),
        (D(2026, 6, 4), "четвёртого июня"),
        (D(2026, 7, 7), "седьмого июля"),
        (D(2026, 8, 12), "двенадцатого августа"),
        (D(2026, 9, 20), "двадцатого сентября"),
        (D(2026, 10, 23), "двадцать третьего октября"),
        (D(2026, 11, 30), "тридцатого ноября"),
        (D(2026, 12, 31), "тридцать первого декабря"),
    ],
    "vi": [
        (D(2026, 1, 5), "ngày mồng năm tháng một"),
        (D(2026, 2, 1), "ngày mồng một tháng hai"),
        (D(2026, 3, 10), "ngày mồng mười tháng ba"),
        (D(2026, 4, 21), "ngày hai mươi mốt tháng tư"),
        (D(2026, 5, 11), "ngày mười một tháng năm"),
        (D(2026, 6, 15), "ngày mười lăm tháng sáu"),
        (D(2026, 7, 14), "ngày mười bốn tháng bảy"),
        (D(2026, 8, 24), "ngày hai mươi tư tháng tám"),
        (D(2026, 9, 25), "ngày hai mươi lăm tháng chín"),
        (D(2026, 10, 20), "ngày hai mươi tháng mười"),
        (D(2026, 11, 30), "ngày ba mươi tháng mười một"),
        (D(2026, 12, 31), "ngày ba mươi mốt tháng mười hai"),
    ],
}

BIRTH_DATES = {
    "cs": [
        (D(1985, 1, 5), "pátého ledna tisíc devět set osmdesát pět"),
        (D(2000, 2, 29), "dvacátého devátého února dva tisíce"),
        (D(2001, 3, 1), "prvního března dva tisíce jedna"),
        (D(2010, 12, 24), "dvacátého čtvrtého prosince dva tisíce deset"),
        (D(1900, 6, 6), "šestého června tisíc devět set"),
        (D(1905, 7, 15), "patnáctého července tisíc devět set pět"),
        (D(1980, 8, 2), "druhého srpna tisíc devět set osmdesát"),
        (D(2035, 11, 11), "jedenáctého listopadu dva tisíce třicet pět"),
        (D(2099, 1, 31), "třicátého prvního ledna dva tisíce devadesát devět"),
    ],
    "en": [
        (D(1985, 1, 5), "January fifth nineteen eighty five"),
        (D(2000, 2, 29), "February twenty-ninth two thousand"),
        (D(2001, 3, 1), "March first two thousand one"),
        (D(2010, 12, 24), "December twenty-fourth two thousand ten"),
        (D(1900, 6, 6), "June sixth nineteen hundred"),
        (D(1905, 7, 15), "July fifteenth nineteen oh five"),
        (D(1980, 8, 2), "August second nineteen eighty"),
        (D(1913, 4, 3), "April third nineteen thirteen"),
    ],
    "uk": [
        (D(1985, 1, 5), "п'ятого січня тисяча дев'ятсот вісімдесят п'ятого року"),
        (D(2000, 2, 29), "двадцять дев'ятого лютого двохтисячного року"),
        (D(2001, 3, 1), "першого березня дві тисячі першого року"),
        (D(2010, 12, 24), "двадцять четвертого грудня дві тисячі десятого року"),
        (D(1900, 6, 6), "шостого червня тисяча дев'ятисотого року"),
        (D(1905, 7, 15), "п'ятнадцятого липня тисяча дев'ятсот п'ятого року"),
        (D(1980, 8, 2), "другого серпня тисяча дев'ятсот вісімдесятого року"),
        (D(1941, 6, 22), "двадцять другого червня тисяча дев'ятсот сорок першого року"),
    ],
    "ru": [
        (D(1985, 1, 5), "пятого января тысяча девятьсот восемьдесят пятого года"),
        (D(2000, 2, 29), "двадцать девятого февраля двухтысячного года"),
        (D(2001, 3, 1), "первого марта две тысячи первого года"),
        (D(2010, 12, 24), "двадцать четвёртого декабря две тысячи десятого года"),
        (D(1900, 6, 6), "шестого июня тысяча девятисотого года"),
        (D(1905, 7, 15), "пятнадцатого июля тысяча девятьсот пятого года"),
        (D(1980, 8, 2), "второго августа тысяча девятьсот восьмидесятого года"),
        (D(1940, 5, 9), "девятого мая тысяча девятьсот сорокового года"),
        (D(1993, 10, 3), "третьего октября тысяча девятьсот девяносто третьего года"),
        (D(2050, 1, 1), "первого января две тысячи пятидесятого года"),
    ],
    "vi": [
        (D(1985, 1, 5), "ngày mồng năm tháng một năm một nghìn chín trăm tám mươi lăm"),
        (D(2000, 2, 29), "ngày hai mươi chín tháng hai năm hai nghìn"),
        (D(2001, 3, 1), "ngày mồng một tháng ba năm hai nghìn không trăm linh một"),
        (D(2010, 12, 24), "ngày hai mươi tư tháng mười hai năm hai nghìn không trăm mười"),
        (D(1900, 6, 6), "ngày mồng sáu tháng sáu năm một nghìn chín trăm"),
        (D(1905, 7, 15), "ngày mười lăm tháng bảy năm một nghìn chín trăm linh năm"),
        (D(1971, 8, 2), "ngày mồng hai tháng tám năm một nghìn chín trăm bảy mươi mốt"),
        (D(1915, 4, 30), "ngày ba mươi tháng tư năm một nghìn chín trăm mười lăm"),
        (D(2025, 9, 1), "ngày mồng một tháng chín năm hai nghìn không trăm hai mươi lăm"),
    ],
}

WEEKDAYS = {  # 2026-11-23 is a Monday
    "cs": ["v pondělí", "v úterý", "ve středu", "ve čtvrtek", "v pátek", "v sobotu", "v neděli"],
    "en": ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
           "on Saturday", "on Sunday"],
    "uk": ["у понеділок", "у вівторок", "у середу", "у четвер", "у п'ятницю", "у суботу",
           "у неділю"],
    "ru": ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу",
           "в воскресенье"],
    "vi": ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"],
}

TIMES = {
    "cs": [
        (T(9, 30), "v devět třicet"),
        (T(14, 30), "ve čtrnáct třicet"),
        (T(14, 0), "ve čtrnáct hodin"),
        (T(11, 5), "v jedenáct nula pět"),
        (T(11, 0), "v jedenáct hodin"),
        (T(4, 15), "ve čtyři patnáct"),
        (T(8, 0), "v osm hodin"),
        (T(1, 0), "v jednu hodinu"),
        (T(2, 0), "ve dvě hodiny"),
        (T(3, 45), "ve tři čtyřicet pět"),
        (T(12, 10), "ve dvanáct deset"),
        (T(13, 0), "ve třináct hodin"),
        (T(16, 55), "v šestnáct padesát pět"),
        (T(7, 1), "v sedm nula jedna"),
        (T(20, 20), "ve dvacet dvacet"),
        (T(22, 0), "ve dvacet dvě hodiny"),
        (T(22, 30), "ve dvacet dvě třicet"),
        (T(21, 0), "ve dvacet jedna hodin"),
        (T(23, 0), "ve dvacet tři hodiny"),
    ],
    "en": [
        (T(9, 30), "at nine thirty a.m."),
        (T(14, 30), "at two thirty p.m."),
        (T(14, 0), "at two p.m."),
        (T(11, 5), "at eleven oh five a.m."),
        (T(11, 0), "at eleven a.m."),
        (T(12, 0), "at twelve p.m."),
        (T(12, 45), "at twelve forty five p.m."),
        (T(0, 15), "at twelve fifteen a.m."),
        (T(8, 0), "at eight a.m."),
        (T(16, 10), "at four ten p.m."),
        (T(13, 21), "at one twenty one p.m."),
    ],
    "uk": [
        (T(9, 30), "о дев'ятій тридцять"),
        (T(14, 30), "о чотирнадцятій тридцять"),
        (T(14, 0), "о чотирнадцятій годині"),
        (T(11, 5), "об одинадцятій нуль п'ять"),
        (T(11, 0), "об одинадцятій годині"),
        (T(8, 0), "о восьмій годині"),
        (T(1, 0), "о першій годині"),
        (T(12, 15), "о дванадцятій п'ятнадцять"),
        (T(13, 21), "о тринадцятій двадцять одна"),
        (T(16, 42), "о шістнадцятій сорок дві"),
        (T(21, 0), "о двадцять першій годині"),
        (T(7, 50), "о сьомій п'ятдесят"),
    ],
    "ru": [
        (T(9, 30), "в девять тридцать"),
        (T(14, 30), "в четырнадцать тридцать"),
        (T(14, 0), "в четырнадцать часов"),
        (T(11, 5), "в одиннадцать ноль пять"),
        (T(11, 0), "в одиннадцать часов"),
        (T(8, 0), "в восемь часов"),
        (T(1, 0), "в час"),
        (T(1, 30), "в час тридцать"),
        (T(2, 0), "в два часа"),
        (T(4, 0), "в четыре часа"),
        (T(21, 0), "в двадцать один час"),
        (T(22, 0), "в двадцать два часа"),
        (T(12, 0), "в двенадцать часов"),
        (T(13, 21), "в тринадцать двадцать одна"),
        (T(16, 42), "в шестнадцать сорок две"),
    ],
    "vi": [
        (T(9, 30), "lúc chín giờ ba mươi phút"),
        (T(14, 30), "lúc mười bốn giờ ba mươi phút"),
        (T(14, 0), "lúc mười bốn giờ"),
        (T(11, 5), "lúc mười một giờ năm phút"),
        (T(11, 0), "lúc mười một giờ"),
        (T(8, 15), "lúc tám giờ mười lăm phút"),
        (T(10, 45), "lúc mười giờ bốn mươi lăm phút"),
        (T(13, 21), "lúc mười ba giờ hai mươi mốt phút"),
        (T(16, 24), "lúc mười sáu giờ hai mươi tư phút"),
        (T(21, 0), "lúc hai mươi mốt giờ"),
        (T(7, 1), "lúc bảy giờ một phút"),
        (T(15, 4), "lúc mười lăm giờ bốn phút"),
    ],
}

REFERENCES = {
    "cs": "čtyři sedm nula, dva jedna tři, osm devět",
    "en": "four seven zero, two one three, eight nine",
    "uk": "чотири сім нуль, два один три, вісім дев'ять",
    "ru": "четыре семь ноль, два один три, восемь девять",
    "vi": "bốn bảy không, hai một ba, tám chín",
}

PASSPORTS = {
    "cs": "nula pět šest",
    "en": "zero five six",
    "uk": "нуль п'ять шість",
    "ru": "ноль пять шесть",
    "vi": "không năm sáu",
}

SLOTS = {
    "cs": "v úterý dvacátého prvního dubna ve čtrnáct třicet",
    "en": "on Tuesday April twenty-first at two thirty p.m.",
    "uk": "у вівторок двадцять першого квітня о чотирнадцятій тридцять",
    "ru": "во вторник двадцать первого апреля в четырнадцать тридцать",
    "vi": "thứ ba ngày hai mươi mốt tháng tư lúc mười bốn giờ ba mươi phút",
}


def _cases(table: dict[str, list[tuple[object, str]]]) -> list[tuple[str, object, str]]:
    return [(language, value, text) for language, rows in table.items() for value, text in rows]


@pytest.mark.parametrize(("language", "day", "expected"), _cases(DATES))
def test_date_without_year(hear: Hear, language: str, day: dt.date, expected: str) -> None:
    assert hear(language, lambda speaker: speaker.date(day)) == expected


@pytest.mark.parametrize(("language", "day", "expected"), _cases(BIRTH_DATES))
def test_date_with_year(hear: Hear, language: str, day: dt.date, expected: str) -> None:
    assert hear(language, lambda speaker: speaker.date_with_year(day)) == expected


@pytest.mark.parametrize("language", sorted(WEEKDAYS))
def test_weekdays(hear: Hear, language: str) -> None:
    monday = D(2026, 11, 23)
    heard = [
        hear(language, lambda speaker, n=n: speaker.weekday(monday + dt.timedelta(days=n)))
        for n in range(7)
    ]
    assert heard == WEEKDAYS[language]


@pytest.mark.parametrize(("language", "moment", "expected"), _cases(TIMES))
def test_time_of_day(hear: Hear, language: str, moment: dt.time, expected: str) -> None:
    assert hear(language, lambda speaker: speaker.time(moment)) == expected


@pytest.mark.parametrize("language", sorted(REFERENCES))
def test_reference_in_groups_3_3_2(hear: Hear, language: str) -> None:
    assert hear(language, lambda speaker: speaker.reference("47021389")) == REFERENCES[language]


@pytest.mark.parametrize("language", sorted(PASSPORTS))
def test_passport_digits(hear: Hear, language: str) -> None:
    assert hear(language, lambda speaker: speaker.digits("056")) == PASSPORTS[language]


@pytest.mark.parametrize("language", sorted(SLOTS))
def test_slot_weekday_date_time(hear: Hear, language: str) -> None:
    starts_at = dt.datetime(2026, 4, 21, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert hear(language, lambda speaker: speaker.slot(starts_at)) == SLOTS[language]
