"""Decisions about what callers hear (issue 13), kept: each would be easy to undo by one edit.

The grammar itself is checked by reading (docs/speech.md lists every change and its reason)
and by what espeak-ng says (test_pronunciation.py); these tests hold the decisions in place.
"""

from __future__ import annotations

import re

import pytest

from prompts.catalog import Catalog, load_catalog

PRESS = {"cs": "stiskněte", "en": "press", "uk": "натисніть", "ru": "нажмите", "vi": "bấm phím"}
# the line speaks as "we": no first person singular anywhere (cs děkujeme, uk шукаємо, …)
FIRST_PERSON_SINGULAR = {
    "cs": r"\b(hledám|nabízím|přepojuji|opakuji|děkuji|omlouvám)\b",
    "en": r"\bI\b|\bI'm\b",
    "uk": r"\b(шукаю|повторюю|з'єдную|дякую)\b",
    "ru": r"\b(ищу|повторяю|соединяю|благодарю)\b",
    "vi": r"(?<!chúng )\btôi\b",
}
BIRTH_DATE_DIGITS = {  # two for the day, two for the month, four for the year
    "cs": ("dvě číslice pro den", "dvě pro měsíc", "čtyři pro rok"),
    "en": ("two digits for the day", "two for the month", "four for the year"),
    "uk": ("дві цифри дня", "дві цифри місяця", "чотири цифри року"),
    "ru": ("две цифры дня", "две цифры месяца", "четыре цифры года"),
    "vi": ("hai chữ số cho ngày", "hai chữ số cho tháng", "bốn chữ số cho năm"),
}
SKIP_THE_LETTERS = {"cs": "písmena vynechte", "en": "leaving out any letters",
                    "uk": "літери пропустіть", "ru": "буквы пропустите",
                    "vi": "bỏ qua các chữ cái"}
ZERO_AND_STAR = {"cs": ("nulu", "hvězdičku"), "en": ("zero", "star"), "uk": ("нуль", "зірочку"),
                 "ru": ("ноль", "звёздочку"), "vi": ("phím không", "phím sao")}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def flow_and_names(catalog: Catalog) -> list[str]:
    return [i for i in catalog.ids if catalog.source(i).name in ("flow.toml", "names.toml")]


@pytest.mark.parametrize("language", sorted(PRESS))
def test_an_option_is_a_key_to_press_not_a_bare_number(catalog: Catalog, language: str) -> None:
    for number in range(1, 10):
        assert catalog.text(f"option-{number}", language).startswith(PRESS[language])


def test_english_office_names_have_no_street(catalog: Catalog) -> None:
    offices = [i for i in catalog.ids if i.startswith("office-")]
    assert offices and not [i for i in offices if "street" in catalog.text(i, "en")]


@pytest.mark.parametrize("language", sorted(FIRST_PERSON_SINGULAR))
def test_the_line_speaks_as_we_in_every_prompt(catalog: Catalog, language: str) -> None:
    pattern = re.compile(FIRST_PERSON_SINGULAR[language])
    assert [i for i in flow_and_names(catalog) if pattern.search(catalog.text(i, language))] == []


@pytest.mark.parametrize("language", sorted(BIRTH_DATE_DIGITS))
def test_the_birth_date_prompt_says_how_many_digits_each_part_has(
    catalog: Catalog, language: str
) -> None:
    text = catalog.text("birthdate-prompt", language)
    assert all(part in text for part in BIRTH_DATE_DIGITS[language]), text


@pytest.mark.parametrize("language", sorted(SKIP_THE_LETTERS))
def test_the_passport_prompt_says_to_skip_the_letters(catalog: Catalog, language: str) -> None:
    assert SKIP_THE_LETTERS[language] in catalog.text("passport-prompt", language)


@pytest.mark.parametrize("language", sorted(ZERO_AND_STAR))
def test_keys_help_names_zero_and_star(catalog: Catalog, language: str) -> None:
    text = catalog.text("keys-help", language)
    assert all(key in text for key in ZERO_AND_STAR[language]), text


def test_every_prompt_has_context_for_a_voice_artist(catalog: Catalog) -> None:
    assert [i for i in catalog.ids if not catalog.note(i)] == []
