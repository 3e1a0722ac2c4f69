"""Every value of the domain speaks in every language, using only known fragment ids."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ivr.speech import LANGUAGES, fragment_ids, render, speaker_for, speech_catalog
from ivr.speech.ids import FIRST_YEAR, LAST_YEAR

KNOWN = fragment_ids()
CATALOG = speech_catalog()

languages = st.sampled_from(LANGUAGES)
dates = st.dates(min_value=dt.date(FIRST_YEAR, 1, 1), max_value=dt.date(LAST_YEAR, 12, 31))
times = st.times().map(lambda moment: moment.replace(second=0, microsecond=0))
digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=20)


def _speaks(language: str, fragments: list[str]) -> None:
    assert fragments
    assert set(fragments) <= KNOWN
    assert render(fragments, language, CATALOG).strip()


@given(language=languages, day=dates)
def test_every_date_speaks(language: str, day: dt.date) -> None:
    speaker = speaker_for(language)
    _speaks(language, speaker.weekday(day))
    _speaks(language, speaker.date(day))
    _speaks(language, speaker.date_with_year(day))


@given(language=languages, moment=times)
def test_every_time_speaks(language: str, moment: dt.time) -> None:
    _speaks(language, speaker_for(language).time(moment))


@given(language=languages, digits=digit_strings)
def test_every_digit_string_speaks_one_fragment_per_digit(language: str, digits: str) -> None:
    speaker = speaker_for(language)
    for fragments in (speaker.digits(digits), speaker.reference(digits)):
        _speaks(language, fragments)
        assert len(fragments) == len(digits)
        assert fragments[-1].endswith("-final")


def test_whole_domain_uses_every_fragment_id() -> None:
    """No dead ids: every id of fragment_ids() is played by at least one language."""
    used: set[str] = set()
    every_day_of_a_leap_year = [dt.date(2024, 1, 1) + dt.timedelta(days=n) for n in range(366)]
    every_minute = [dt.time(hour, minute) for hour in range(24) for minute in range(60)]
    for language in LANGUAGES:
        speaker = speaker_for(language)
        for day in every_day_of_a_leap_year:
            used.update(speaker.weekday(day), speaker.date(day))
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            used.update(speaker.year(year))
        for moment in every_minute:
            used.update(speaker.time(moment))
        for digit in "0123456789":
            used.update(speaker.digits(digit * 2))
    assert used == KNOWN


@given(
    language=languages,
    starts_at=st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2035, 12, 31),
        timezones=st.just(dt.timezone(dt.timedelta(hours=1))),
    ).map(lambda moment: moment.replace(second=0, microsecond=0)),
)
def test_every_slot_speaks_weekday_then_date_then_time(
    language: str, starts_at: dt.datetime
) -> None:
    speaker = speaker_for(language)
    fragments = speaker.slot(starts_at)
    _speaks(language, fragments)
    assert fragments == [
        *speaker.weekday(starts_at.date()),
        *speaker.date(starts_at.date()),
        *speaker.time(starts_at.time()),
    ]
    assert fragments[0].startswith("weekday-")
