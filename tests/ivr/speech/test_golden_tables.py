"""The golden tables against the grammar rules, and the speakers against the tables.

Every minute of the day, every day of a leap year with its weekday (so every weekday, day and
month), every year 1900–2099, in every language (`golden_tables.py` writes the files).
"""

from __future__ import annotations

import datetime as dt

import pytest

from ivr.speech import LANGUAGES
from tests.ivr.speech import rules
from tests.ivr.speech.golden_tables import KINDS, heard, read

RULES = {"times": rules.TIME, "dates": rules.DATE, "years": rules.YEAR}
CASES = [(language, kind) for language in LANGUAGES for kind in KINDS]


def parse(kind: str, label: str) -> object:
    if kind == "times":
        return dt.time.fromisoformat(label)
    if kind == "dates":
        return dt.date.fromisoformat(label)
    return int(label)


@pytest.mark.parametrize(("language", "kind"), CASES)
def test_the_table_follows_the_grammar_rules(language: str, kind: str) -> None:
    compose = RULES[kind][language]
    wrong = [(label, text, compose(parse(kind, label)))  # type: ignore[operator]
             for label, text in read(language, kind)
             if text != compose(parse(kind, label))]  # type: ignore[operator]
    assert wrong == []


@pytest.mark.parametrize(("language", "kind"), CASES)
def test_the_speaker_says_the_table(language: str, kind: str) -> None:
    table = read(language, kind)
    assert len(table) == {"times": 1440, "dates": 366, "years": 200}[kind]
    assert heard(language, kind) == table


def test_the_tables_cover_every_weekday_day_and_month() -> None:
    days = [dt.date.fromisoformat(label) for label, _ in read("cs", "dates")]
    assert {d.isoweekday() for d in days} == set(range(1, 8))
    assert {d.day for d in days} == set(range(1, 32))
    assert {d.month for d in days} == set(range(1, 13))
