"""The languages the prompts are built in, and the voice each backend uses for them.

Adding a language is adding one row here and one key (column) to every catalog table; nothing
else in the build knows language codes. The order is the order of the language menu.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A caller language: its Asterisk code, the voice of each TTS backend and espeak-ng's
    speaking rate (words per minute; espeak-ng's default of 175 is the upper end of what a
    caller hears well on a narrowband phone line, and its voices differ in how fast the same
    setting sounds)."""

    code: str
    espeak_voice: str
    gtts_lang: str
    espeak_speed_wpm: int


LANGUAGES: tuple[Language, ...] = (
    Language(code="cs", espeak_voice="cs", gtts_lang="cs", espeak_speed_wpm=175),
    Language(code="en", espeak_voice="en-gb", gtts_lang="en", espeak_speed_wpm=170),
    Language(code="uk", espeak_voice="uk", gtts_lang="uk", espeak_speed_wpm=170),
    Language(code="ru", espeak_voice="ru", gtts_lang="ru", espeak_speed_wpm=170),
    # a tonal language: a little slower, so that the tones stay clear
    Language(code="vi", espeak_voice="vi", gtts_lang="vi", espeak_speed_wpm=165),
)


def language_codes() -> tuple[str, ...]:
    """Codes of every supported language, in menu order."""
    return tuple(language.code for language in LANGUAGES)

