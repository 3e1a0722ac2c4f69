"""The speech fragments as a prompt catalog, and how a list of ids reads as text.

The per-language tables (``ivr/speech/<lang>.py``) are the one source of the fragment texts;
``prompts/catalog/speech.toml`` is generated from them (``python -m ivr.speech.export``) so the
prompt builder and the catalog checks treat speech fragments like every other prompt, and a
test fails when the checked-in file is out of date.

``render`` shows what a caller hears (terminal phone, tests): the texts joined by spaces. A
fragment closing a digit group ends in a comma; the comma after the last fragment is dropped.

Errors: ``MissingFragment`` from ``render``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ivr.speech.errors import MissingFragment
from ivr.speech.ids import fragment_ids
from ivr.speech.languages import LANGUAGES, TEXTS


def speech_catalog() -> dict[str, dict[str, str]]:
    """``{fragment id: {language: text}}`` for every id of ``fragment_ids()``.

    Sorted with numbers in numeric order (``date-day-2`` before ``date-day-10``) so that a
    reviewer reads the generated file in a natural order.
    """
    return {
        fragment: {language: TEXTS[language][fragment] for language in LANGUAGES}
        for fragment in sorted(fragment_ids(), key=_natural_key)
    }


def _natural_key(fragment: str) -> list[tuple[int, str]]:
    return [(int(part), "") if part.isdigit() else (-1, part)
            for part in re.split(r"(\d+)", fragment)]


def render(
    fragments: Iterable[str], language: str, catalog: Mapping[str, Mapping[str, str]]
) -> str:
    """The text a caller hears when ``fragments`` are played in ``language``."""
    texts = []
    for fragment in fragments:
        try:
            texts.append(catalog[fragment][language])
        except KeyError:
            raise MissingFragment(
                f"prompt {fragment!r} has no text in language {language!r}"
            ) from None
    return " ".join(texts).rstrip(",")
