"""The golden tables: every minute of the day, every day of a leap year, every year 1900–2099.

    python -m tests.ivr.speech.golden_tables     # rewrite tests/ivr/speech/golden/*.txt

The files are written from the speakers, for a reviewer to read (and a native speaker to sign
off: one line per form, `value<TAB>what the caller hears`). A rewrite shows in the diff what a
change of the speech module changed; `test_golden_tables.py` checks the files against the
grammar rules (`rules.py`, from docs/speech.md) and the speakers against the files.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path

from ivr.speech import LANGUAGES, Speaker, render, speaker_for, speech_catalog

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
LEAP_YEAR = 2028
KINDS = ("times", "dates", "years")


def values(kind: str) -> Iterator[tuple[str, object]]:
    """(label, value) of every line of a table, in order."""
    if kind == "times":
        for minute in range(24 * 60):
            moment = dt.time(*divmod(minute, 60))
            yield moment.strftime("%H:%M"), moment
    elif kind == "dates":
        day = dt.date(LEAP_YEAR, 1, 1)
        while day.year == LEAP_YEAR:
            yield day.isoformat(), day
            day += dt.timedelta(days=1)
    else:
        for year in range(1900, 2100):
            yield str(year), year


def speak(kind: str, speaker: Speaker, value: object) -> list[str]:
    if kind == "times":
        assert isinstance(value, dt.time)
        return speaker.time(value)
    if kind == "dates":
        assert isinstance(value, dt.date)
        return [*speaker.weekday(value), *speaker.date(value)]
    assert isinstance(value, int)
    return speaker.year(value)


def path(language: str, kind: str) -> Path:
    return GOLDEN_DIR / f"{language}-{kind}.txt"


def read(language: str, kind: str) -> list[tuple[str, str]]:
    lines = path(language, kind).read_text(encoding="utf-8").splitlines()
    return [(label, text) for label, text in (line.split("\t") for line in lines)]


def heard(language: str, kind: str) -> list[tuple[str, str]]:
    """What the speaker of `language` says for every value of the table."""
    catalog = speech_catalog()
    speaker = speaker_for(language)
    return [(label, render(speak(kind, speaker, value), language, catalog))
            for label, value in values(kind)]


def write(report: Callable[[str], None] = print) -> None:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for language in LANGUAGES:
        for kind in KINDS:
            lines = [f"{label}\t{text}\n" for label, text in heard(language, kind)]
            path(language, kind).write_text("".join(lines), encoding="utf-8")
            report(f"wrote {path(language, kind)} ({len(lines)} lines)")


if __name__ == "__main__":
    write()
