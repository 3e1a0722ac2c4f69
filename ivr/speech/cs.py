"""Czech: the words and where Czech grammar differs from the shared composition.

- Dates: genitive ordinal day + genitive month, "pátého ledna", "dvacátého prvního dubna".
- Years are read as cardinals in the nominative after the date, as Czech speakers do:
  "tisíc devět set osmdesát pět", "dva tisíce jedna"; no "roku".
- Times: 24-hour clock. The hour fragment carries its preposition, because "v"/"ve" depends
  on the hour word: "ve dvě", "ve tři", "ve čtyři", "ve čtrnáct", "ve dvacet" but "v devět",
  "v jedenáct". The hour is in the accusative ("v jednu", "ve dvě").
- A full hour adds the noun, agreeing with the last word of the numeral (docs/speech.md,
  cs-T4): "v jednu hodinu", "ve dvě hodiny", "v pět hodin", "ve dvacet dvě hodiny",
  "ve dvacet tři hodiny"; the indeclinable "dvacet jedna" takes the genitive plural: "ve dvacet
  jedna hodin". 22 is "dvacet dvě", feminine like "ve dvě" (hodina).
- Minutes 1–9 are read "nula pět": "v jedenáct nula pět".
"""

from __future__ import annotations

from typing import ClassVar

from ivr.speech import ids
from ivr.speech.speaker import Speaker

_DIGITS = ("nula", "jedna", "dva", "tři", "čtyři", "pět", "šest", "sedm", "osm", "devět")
_TEENS = (
    "deset", "jedenáct", "dvanáct", "třináct", "čtrnáct",
    "patnáct", "šestnáct", "sedmnáct", "osmnáct", "devatenáct",
)  # fmt: skip
_TENS = {2: "dvacet", 3: "třicet", 4: "čtyřicet", 5: "padesát",
         6: "šedesát", 7: "sedmdesát", 8: "osmdesát", 9: "devadesát"}  # fmt: skip

TEXTS: dict[str, str] = {
    ids.weekday(1): "v pondělí",
    ids.weekday(2): "v úterý",
    ids.weekday(3): "ve středu",
    ids.weekday(4): "ve čtvrtek",
    ids.weekday(5): "v pátek",
    ids.weekday(6): "v sobotu",
    ids.weekday(7): "v neděli",
    ids.day(1): "prvního",
    ids.day(2): "druhého",
    ids.day(3): "třetího",
    ids.day(4): "čtvrtého",
    ids.day(5): "pátého",
    ids.day(6): "šestého",
    ids.day(7): "sedmého",
    ids.day(8): "osmého",
    ids.day(9): "devátého",
    ids.day(10): "desátého",
    ids.day(11): "jedenáctého",
    ids.day(12): "dvanáctého",
    ids.day(13): "třináctého",
    ids.day(14): "čtrnáctého",
    ids.day(15): "patnáctého",
    ids.day(16): "šestnáctého",
    ids.day(17): "sedmnáctého",
    ids.day(18): "osmnáctého",
    ids.day(19): "devatenáctého",
    ids.day(20): "dvacátého",
    ids.day(21): "dvacátého prvního",
    ids.day(22): "dvacátého druhého",
    ids.day(23): "dvacátého třetího",
    ids.day(24): "dvacátého čtvrtého",
    ids.day(25): "dvacátého pátého",
    ids.day(26): "dvacátého šestého",
    ids.day(27): "dvacátého sedmého",
    ids.day(28): "dvacátého osmého",
    ids.day(29): "dvacátého devátého",
    ids.day(30): "třicátého",
    ids.day(31): "třicátého prvního",
    ids.month(1): "ledna",
    ids.month(2): "února",
    ids.month(3): "března",
    ids.month(4): "dubna",
    ids.month(5): "května",
    ids.month(6): "června",
    ids.month(7): "července",
    ids.month(8): "srpna",
    ids.month(9): "září",
    ids.month(10): "října",
    ids.month(11): "listopadu",
    ids.month(12): "prosince",
    ids.year_century(19): "tisíc devět set",
    ids.year_century(20): "dva tisíce",
    ids.year_round(1900): "tisíc devět set",
    ids.year_round(2000): "dva tisíce",
    **{ids.year_tens(n): word for n, word in _TENS.items()},
    ids.year_tens_ordinal(2): "dvacátého",
    ids.year_tens_ordinal(3): "třicátého",
    ids.year_tens_ordinal(4): "čtyřicátého",
    ids.year_tens_ordinal(5): "padesátého",
    ids.year_tens_ordinal(6): "šedesátého",
    ids.year_tens_ordinal(7): "sedmdesátého",
    ids.year_tens_ordinal(8): "osmdesátého",
    ids.year_tens_ordinal(9): "devadesátého",
    **{ids.year_teen(10 + n): word for n, word in enumerate(_TEENS)},
    **{ids.year_unit(n): _DIGITS[n] for n in range(1, 10)},
    ids.YEAR_ZERO_TENS: "nula",
    ids.YEAR_WORD: "roku",
    **{ids.digit(n): _DIGITS[n] for n in range(10)},
    **{ids.digit(n, final=True): f"{_DIGITS[n]}," for n in range(10)},
    ids.hour(0): "v nula",
    ids.hour(1): "v jednu",
    ids.hour(2): "ve dvě",
    ids.hour(3): "ve tři",
    ids.hour(4): "ve čtyři",
    ids.hour(5): "v pět",
    ids.hour(6): "v šest",
    ids.hour(7): "v sedm",
    ids.hour(8): "v osm",
    ids.hour(9): "v devět",
    ids.hour(10): "v deset",
    ids.hour(11): "v jedenáct",
    ids.hour(12): "ve dvanáct",
    ids.hour(13): "ve třináct",
    ids.hour(14): "ve čtrnáct",
    ids.hour(15): "v patnáct",
    ids.hour(16): "v šestnáct",
    ids.hour(17): "v sedmnáct",
    ids.hour(18): "v osmnáct",
    ids.hour(19): "v devatenáct",
    ids.hour(20): "ve dvacet",
    ids.hour(21): "ve dvacet jedna",
    ids.hour(22): "ve dvacet dvě",
    ids.hour(23): "ve dvacet tři",
    ids.HOURS_ONE: "hodinu",
    ids.HOURS_FEW: "hodiny",
    ids.HOURS_MANY: "hodin",
    ids.TIME_AM: "dopoledne",
    ids.TIME_PM: "odpoledne",
    ids.MINUTE_ZERO: "nula",
    **{ids.minute_unit(n): _DIGITS[n] for n in range(1, 10)},
    **{ids.minute_teen(10 + n): word for n, word in enumerate(_TEENS)},
    **{ids.minute_tens(n): _TENS[n] for n in range(2, 6)},
    ids.MINUTE_WORD: "minut",
}


class CzechSpeaker(Speaker):
    """Czech: the shared composition plus the noun after a full hour."""

    language: ClassVar[str] = "cs"

    def full_hour(self, hour: int) -> list[str]:
        if hour == 1:
            return [ids.HOURS_ONE]
        if hour % 10 in (2, 3, 4) and hour not in (12, 13, 14):  # dvě, tři, čtyři, dvacet dvě
            return [ids.HOURS_FEW]
        return [ids.HOURS_MANY]  # also "dvacet jedna hodin"
