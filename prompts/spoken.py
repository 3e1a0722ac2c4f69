"""How a catalog text is spoken: in the prompt's language, with marked parts in another voice.

A caller in Vietnamese or English still has to recognise a Czech place name when he hears it
at the office, and espeak-ng's vi and en voices cannot say one: the vi voice switches to
English on "Praha" ([pɹˈɑːhə]) and spells "Hládkov" letter by letter. A catalog text therefore
marks the part another language's voice says, `{cs:Hládkov}`:

    vi = "{cs:Praha}, phố {cs:Hládkov}"

- `written(text)` is the text without the marks: what the terminal phone shows and what a
  voice artist reads ("Praha, phố Hládkov"; `marked_parts` lists what to say in Czech);
- `segments(text, language)` is what a TTS backend says, part by part, each in its voice.

The written name the operators' console shows is not this text: it lives in the slot
service's seed data (`api/seed/seed.toml`, `names`), so a spoken form can change without
touching what anyone reads. Marks do not nest; a mark's language is a catalog language.
Hand-written: a dozen lines of regular expression, and no TTS markup (SSML) is common to
espeak-ng and gTTS.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

MARK = re.compile(r"\{([a-z]+):([^{}]+)\}")


@dataclass(frozen=True)
class Segment:
    """A run of text and the language whose voice says it."""

    text: str
    language: str


def written(text: str) -> str:
    """The text with its marks removed: `{cs:Praha}, phố` → `Praha, phố`."""
    return MARK.sub(lambda match: match.group(2), text)


def marked_parts(text: str) -> list[Segment]:
    """The parts said in another voice, in order."""
    return [Segment(text=match.group(2), language=match.group(1)) for match in MARK.finditer(text)]


def segments(text: str, language: str) -> tuple[Segment, ...]:
    """The text as parts to say, each with its language; empty parts are left out."""
    parts: list[Segment] = []
    position = 0
    for match in MARK.finditer(text):
        parts.append(Segment(text=text[position : match.start()], language=language))
        parts.append(Segment(text=match.group(2), language=match.group(1)))
        position = match.end()
    parts.append(Segment(text=text[position:], language=language))
    return tuple(part for part in parts if part.text.strip())


def markup_problem(text: str, languages: Collection[str]) -> str | None:
    """Why the marks of `text` are broken, or None: braces outside a mark, unknown language."""
    leftover = MARK.sub("", text)
    if "{" in leftover or "}" in leftover:
        return "a brace outside a {language:text} mark (marks do not nest)"
    unknown = sorted({part.language for part in marked_parts(text)} - set(languages))
    if unknown:
        return f"mark in unknown language(s) {', '.join(unknown)}"
    return None
