"""``ivr speech …``: the speech fragments from the command line.

- ``ivr speech export [--check]`` writes (or checks) ``prompts/catalog/speech.toml``;
- ``ivr speech say cs 2026-04-21T14:30`` prints the fragment ids and the text a caller hears
  for a date (``YYYY-MM-DD``, with the year), a time (``HH:MM``), a slot (``…T HH:MM``) or a
  digit string (a reference when ``--reference``), so a reviewer checks a form in a second.

Errors: a ``SpeechError`` (bad language, value outside the domain) ends the command with
status 2 and the error's message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer

from ivr.speech.catalog import render, speech_catalog
from ivr.speech.errors import SpeechError
from ivr.speech.export import DEFAULT_PATH, run
from ivr.speech.languages import speaker_for

app = typer.Typer(
    help="Speech of dynamic content: fragments and their catalog", no_args_is_help=True
)

Parsed = TypeVar("Parsed")


@app.command()
def export(
    path: Path = typer.Option(DEFAULT_PATH, help="catalog file to write"),
    check: bool = typer.Option(False, "--check", help="only check that the file is current"),
) -> None:
    """Write prompts/catalog/speech.toml from the per-language tables."""
    raise typer.Exit(run(path=path, check=check))


@app.command()
def say(
    language: str,
    value: str,
    reference: bool = typer.Option(False, "--reference", help="read digits in groups"),
) -> None:
    """Print the fragment ids and the text for a date, time, slot or digit string."""
    try:
        fragments = _speak(language, value, reference=reference)
        text = render(fragments, language, speech_catalog())
    except SpeechError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from error
    typer.echo(" ".join(fragments))
    typer.echo(text)


def _speak(language: str, value: str, *, reference: bool) -> list[str]:
    speaker = speaker_for(language)
    if value.isdigit():
        return speaker.reference(value) if reference else speaker.digits(value)
    if "T" in value:
        return speaker.slot(_parse(dt.datetime.fromisoformat, value))
    if ":" in value:
        return speaker.time(_parse(dt.time.fromisoformat, value))
    return speaker.date_with_year(_parse(dt.date.fromisoformat, value))


def _parse(parse: Callable[[str], Parsed], value: str) -> Parsed:
    try:
        return parse(value)
    except ValueError as error:
        raise typer.BadParameter(f"{value!r}: {error}") from error
