"""Golden table: every full hour 0:00–23:00 in every language (prepositions, hour nouns).

Written by hand. cs: "v"/"ve" and hodinu/hodiny/hodin (cs-T4: "ve dvacet dvě hodiny");
ru: час/часа/часов and "в час"; uk: "о"/"об" and the locative ordinal; en: 12-hour clock;
vi: "lúc … giờ".
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.ivr.speech.conftest import Hear

FULL_HOURS = {
    "cs": """v nula hodin|v jednu hodinu|ve dvě hodiny|ve tři hodiny|ve čtyři hodiny|
        v pět hodin|v šest hodin|v sedm hodin|v osm hodin|v devět hodin|v deset hodin|
        v jedenáct hodin|ve dvanáct hodin|ve třináct hodin|ve čtrnáct hodin|v patnáct hodin|
        v šestnáct hodin|v sedmnáct hodin|v osmnáct hodin|v devatenáct hodin|ve dvacet hodin|
        ve dvacet jedna hodin|ve dvacet dvě hodiny|ve dvacet tři hodiny""",
    "en": """at twelve a.m.|at one a.m.|at two a.m.|at three a.m.|at four a.m.|at five a.m.|
        at six a.m.|at seven a.m.|at eight a.m.|at nine a.m.|at ten a.m.|at eleven a.m.|
        at twelve p.m.|at one p.m.|at two p.m.|at three p.m.|at four p.m.|at five p.m.|
        at six p.m.|at seven p.m.|at eight p.m.|at nine p.m.|at ten p.m.|at eleven p.m.""",
    "uk": """о нульовій годині|о першій годині|о другій годині|о третій годині|
        о четвертій годині|о п'ятій годині|о шостій годині|о сьомій годині|о восьмій годині|
        о дев'ятій годині|о десятій годині|об одинадцятій годині|о дванадцятій годині|
        о тринадцятій годині|о чотирнадцятій годині|о п'ятнадцятій годині|
        о шістнадцятій годині|о сімнадцятій годині|о вісімнадцятій годині|
        о дев'ятнадцятій годині|о двадцятій годині|о двадцять першій годині|
        о двадцять другій годині|о двадцять третій годині""",
    "ru": """в ноль часов|в час|в два часа|в три часа|в четыре часа|в пять часов|
        в шесть часов|в семь часов|в восемь часов|в девять часов|в десять часов|
        в одиннадцать часов|в двенадцать часов|в тринадцать часов|в четырнадцать часов|
        в пятнадцать часов|в шестнадцать часов|в семнадцать часов|в восемнадцать часов|
        в девятнадцать часов|в двадцать часов|в двадцать один час|в двадцать два часа|
        в двадцать три часа""",
    "vi": """lúc không giờ|lúc một giờ|lúc hai giờ|lúc ba giờ|lúc bốn giờ|lúc năm giờ|
        lúc sáu giờ|lúc bảy giờ|lúc tám giờ|lúc chín giờ|lúc mười giờ|lúc mười một giờ|
        lúc mười hai giờ|lúc mười ba giờ|lúc mười bốn giờ|lúc mười lăm giờ|lúc mười sáu giờ|
        lúc mười bảy giờ|lúc mười tám giờ|lúc mười chín giờ|lúc hai mươi giờ|
        lúc hai mươi mốt giờ|lúc hai mươi hai giờ|lúc hai mươi ba giờ""",
}


def _rows() -> list[tuple[str, int, str]]:
    rows = []
    for language, table in FULL_HOURS.items():
        texts = [" ".join(text.split()) for text in table.split("|")]
        assert len(texts) == 24, language
        rows += [(language, hour, text) for hour, text in enumerate(texts)]
    return rows


@pytest.mark.parametrize(("language", "hour", "expected"), _rows())
def test_every_full_hour(hear: Hear, language: str, hour: int, expected: str) -> None:
    assert hear(language, lambda speaker: speaker.time(dt.time(hour))) == expected
