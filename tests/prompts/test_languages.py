"""The language table: menu order and voice mappings."""

from __future__ import annotations

from prompts.languages import LANGUAGES, language_codes


def test_languages_in_menu_order() -> None:
    assert language_codes() == ("cs", "en", "uk", "ru", "vi")


def test_every_language_has_a_voice_for_each_backend() -> None:
    assert all(language.espeak_voice and language.gtts_lang for language in LANGUAGES)
    assert {language.code: language.espeak_voice for language in LANGUAGES}["en"] == "en-gb"
