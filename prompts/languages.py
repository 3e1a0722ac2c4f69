"""The languages the prompts are built in, and the voice each backend uses for them.

Adding a language is adding one row here and one key (column) to every catalog table; nothing
else in the build knows language codes. The order is the order of the language menu.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A caller language: its Asterisk code and the voice of each TTS backend."""

    code: str
    espeak_voice: str
    gtts_lang: str


LANGUAGES: tuple[Language, ...] = (
    Language(code="cs", espeak_voice="cs", gtts_lang="cs"),
    Language(code="en", espeak_voice="en-gb", gtts_lang="en"),
    Language(code="uk", espeak_voice="uk", gtts_lang="uk"),
    Language(code="ru", espeak_voice="ru", gtts_lang="ru"),
    Language(code="vi", espeak_voice="vi", gtts_lang="vi"),
)


def language_codes() -> tuple[str, ...]:
    """Codes of every supported language, in menu order."""
    return tuple(language.code for language in LANGUAGES)

