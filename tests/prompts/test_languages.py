"""The language table: menu order and voice mappings."""

from __future__ import annotations

import pytest

from prompts.languages import find_language, language_codes


def test_languages_in_menu_order() -> None:
    assert language_codes() == ("cs", "en", "uk", "ru", "vi")


def test_find_language_and_unknown_codes() -> None:
    assert find_language("en").espeak_voice == "en-gb"
    with pytest.raises(KeyError, match="known: cs, en, uk, ru, vi"):
        find_language("de")
