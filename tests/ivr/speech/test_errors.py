"""Values outside the domain raise typed errors that name the value."""

from __future__ import annotations

import datetime as dt

import pytest

from ivr.speech import (
    MissingFragment,
    OutOfDomain,
    SpeechError,
    UnsupportedLanguage,
    render,
    speaker_for,
    speech_catalog,
)


@pytest.mark.parametrize("year", [1899, 2100, 1066])
def test_year_outside_1900_2099(year: int) -> None:
    with pytest.raises(OutOfDomain, match=str(year)):
        speaker_for("ru").date_with_year(dt.date(year, 5, 1))


def test_date_without_year_has_no_year_limit() -> None:
    assert speaker_for("cs").date(dt.date(2099, 5, 1)) == ["date-day-1", "date-month-5"]


@pytest.mark.parametrize("moment", [dt.time(9, 30, 15), dt.time(9, 30, 0, 1)])
def test_time_with_seconds(moment: dt.time) -> None:
    with pytest.raises(OutOfDomain, match="to the minute"):
        speaker_for("uk").time(moment)


@pytest.mark.parametrize("digits", ["", "12a4", " 123", "１２３"])
def test_digit_strings_only_ascii_digits(digits: str) -> None:
    with pytest.raises(OutOfDomain):
        speaker_for("vi").digits(digits)


@pytest.mark.parametrize("language", ["de", "CS", "cs_CZ", ""])
def test_unsupported_language(language: str) -> None:
    with pytest.raises(UnsupportedLanguage, match="cs, en, uk, ru, vi"):
        speaker_for(language)


def test_render_names_the_missing_fragment() -> None:
    catalog = speech_catalog()
    with pytest.raises(MissingFragment, match="date-day-32"):
        render(["date-day-32"], "cs", catalog)
    with pytest.raises(MissingFragment, match="'de'"):
        render(["date-day-1"], "de", catalog)


def test_every_error_is_a_speech_error_and_a_value_error() -> None:
    for error in (UnsupportedLanguage, OutOfDomain, MissingFragment):
        assert issubclass(error, SpeechError)
        assert issubclass(error, ValueError)
