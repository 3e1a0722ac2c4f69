"""Golden table: every day of the month 1st–31st, in every language, across the months.

Day d is spoken in month ((d - 1) % 12) + 1, so every month appears too. Written by hand.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ivr.speech.conftest import Hear

DAYS = {
    "cs": """prvního ledna|druhého února|třetího března|čtvrtého dubna|pátého května|
        šestého června|sedmého července|osmého srpna|devátého září|desátého října|
        jedenáctého listopadu|dvanáctého prosince|třináctého ledna|čtrnáctého února|
        patnáctého března|šestnáctého dubna|sedmnáctého května|osmnáctého června|
        devatenáctého července|dvacátého srpna|dvacátého prvního září|
        dvacátého druhého října|dvacátého třetího listopadu|dvacátého čtvrtého prosince|
        dvacátého pátého ledna|dvacátého šestého února|dvacátého sedmého března|
        dvacátého osmého dubna|dvacátého devátého května|třicátého června|
        třicátého prvního července""",
    "en": """January first|February second|March third|April fourth|May fifth|June sixth|
        July seventh|August eighth|September ninth|October tenth|November eleventh|
        December twelfth|January thirteenth|February fourteenth|March fifteenth|
        April sixteenth|May seventeenth|June eighteenth|July nineteenth|August twentieth|
        September twenty-first|October twenty-second|November twenty-third|
        December twenty-fourth|January twenty-fifth|February twenty-sixth|
        March twenty-seventh|April twenty-eighth|May twenty-ninth|June thirtieth|
        July thirty-first""",
    "uk": """першого січня|другого лютого|третього березня|четвертого квітня|п'ятого травня|
        шостого червня|сьомого липня|восьмого серпня|дев'ятого вересня|десятого жовтня|
        одинадцятого листопада|дванадцятого грудня|тринадцятого січня|чотирнадцятого лютого|
        п'ятнадцятого березня|шістнадцятого квітня|сімнадцятого травня|вісімнадцятого червня|
        дев'ятнадцятого липня|двадцятого серпня|двадцять першого вересня|
        двадцять другого жовтня|двадцять третього листопада|двадцять четвертого грудня|
        двадцять п'ятого січня|двадцять шостого лютого|двадцять сьомого березня|
        двадцять восьмого квітня|двадцять дев'ятого травня|тридцятого червня|
        тридцять першого липня""",
    "ru": """первого января|второго февраля|третьего марта|четвёртого апреля|пятого мая|
        шестого июня|седьмого июля|восьмого августа|девятого сентября|десятого октября|
        одиннадцатого ноября|двенадцатого декабря|тринадцатого января|четырнадцатого февраля|
        пятнадцатого марта|шестнадцатого апреля|семнадцатого мая|восемнадцатого июня|
        девятнадцатого июля|двадцатого августа|двадцать первого сентября|
        двадцать второго октября|двадцать третьего ноября|двадцать четвёртого декабря|
        двадцать пятого января|двадцать шестого февраля|двадцать седьмого марта|
        двадцать восьмого апреля|двадцать девятого мая|тридцатого июня|
        тридцать первого июля""",
    "vi": """ngày mồng một tháng một|ngày mồng hai tháng hai|ngày mồng ba tháng ba|
        ngày mồng bốn tháng tư|ngày mồng năm tháng năm|ngày mồng sáu tháng sáu|
        ngày mồng bảy tháng bảy|ngày mồng tám tháng tám|ngày mồng chín tháng chín|
        ngày mồng mười tháng mười|ngày mười một tháng mười một|ngày mười hai tháng mười hai|
        ngày mười ba tháng một|ngày mười bốn tháng hai|ngày mười lăm tháng ba|
        ngày mười sáu tháng tư|ngày mười bảy tháng năm|ngày mười tám tháng sáu|
        ngày mười chín tháng bảy|ngày hai mươi tháng tám|ngày hai mươi mốt tháng chín|
        ngày hai mươi hai tháng mười|ngày hai mươi ba tháng mười một|
        ngày hai mươi tư tháng mười hai|ngày hai mươi lăm tháng một|
        ngày hai mươi sáu tháng hai|ngày hai mươi bảy tháng ba|ngày hai mươi tám tháng tư|
        ngày hai mươi chín tháng năm|ngày ba mươi tháng sáu|ngày ba mươi mốt tháng bảy""",
}


def _rows() -> list[tuple[str, int, str]]:
    rows = []
    for language, table in DAYS.items():
        texts = [" ".join(text.split()) for text in table.split("|")]
        assert len(texts) == 31, language
        rows += [(language, day, text) for day, text in enumerate(texts, start=1)]
    return rows


@pytest.mark.parametrize(("language", "day", "expected"), _rows())
def test_every_day_of_the_month(hear: Hear, language: str, day: int, expected: str) -> None:
    date = dt.date(2027, (day - 1) % 12 + 1, day)
    assert hear(language, lambda speaker: speaker.date(date)) == expected
