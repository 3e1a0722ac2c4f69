"""The five languages: their speakers and word tables, in the product's order.

Errors: ``UnsupportedLanguage`` for a code outside ``LANGUAGES``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ivr.speech import cs, en, ru, uk, vi
from ivr.speech.errors import UnsupportedLanguage
from ivr.speech.speaker import Speaker

LANGUAGES: tuple[str, ...] = ("cs", "en", "uk", "ru", "vi")

_SPEAKERS: dict[str, Speaker] = {
    "cs": cs.CzechSpeaker(),
    "en": en.EnglishSpeaker(),
    "uk": uk.UkrainianSpeaker(),
    "ru": ru.RussianSpeaker(),
    "vi": vi.VietnameseSpeaker(),
}

TEXTS: Mapping[str, Mapping[str, str]] = {
    "cs": cs.TEXTS,
    "en": en.TEXTS,
    "uk": uk.TEXTS,
    "ru": ru.TEXTS,
    "vi": vi.TEXTS,
}


def speaker_for(language: str) -> Speaker:
    """The speaker of ``language`` (one of ``LANGUAGES``); speakers are stateless."""
    try:
        return _SPEAKERS[language]
    except KeyError:
        raise UnsupportedLanguage(
            f"no speech for language {language!r}; expected one of {', '.join(LANGUAGES)}"
        ) from None
