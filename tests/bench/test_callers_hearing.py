"""bench.callers.hearing: what a simulated caller takes from the catalog text and the ids.

The catalog checks run on the real catalog, so a menu whose wording stops naming one key per
meaning, or a language option without its key, fails here before it silently fails callers."""

from __future__ import annotations

import datetime as dt

import pytest

from bench.callers.hearing import (
    MENU_MEANINGS,
    LetterRule,
    decode_date,
    decode_digit,
    decode_time,
    decode_weekday,
    digits_only,
    find_name,
    key_words,
    keypad_digits,
    menu_keys,
    read_passport_instruction,
    word_time,
)
from ivr.speech import speaker_for
from prompts.catalog import load_catalog

LANGUAGES = ("cs", "en", "uk", "ru", "vi")
CATALOG = load_catalog()


def keys(text: str, language: str) -> list[str]:
    return [word.key for word in key_words(text, language)]


def test_a_number_names_a_key_after_a_press_verb_or_at_the_end_of_a_sentence() -> None:
    assert keys("To book it, press one. The next one, two. A later day, three.", "en") == [
        "1", "2", "3"]
    assert keys("One moment, please.", "en") == []
    assert keys("Xin chờ một chút.", "vi") == []
    assert keys("Để nghe tiếng Việt, xin bấm phím năm.", "vi") == ["5"]
    assert keys("Для української мови натисніть три.", "uk") == ["3"]
    assert keys("Pro zrušení stiskněte hvězdičku, pro operátora nulu.", "cs") == ["*", "0"]
    assert keys("key only the digits, then press #", "en") == ["#"]
    assert keys("Pro rezervaci stiskněte jedna, pro další termín dva, pro pozdější den tři.",
                "cs") == ["1", "2", "3"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_option_names_its_own_key(language: str) -> None:
    text = CATALOG.text("language-option", language)
    assert keys(text, language) == [str(LANGUAGES.index(language) + 1)]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("menu", sorted(MENU_MEANINGS))
def test_every_action_menu_of_the_catalog_names_one_key_per_meaning(
        menu: str, language: str) -> None:
    found = menu_keys(menu, CATALOG.text(menu, language), language)
    assert found is not None, (menu, language, CATALOG.text(menu, language))
    assert [word.key for word in found.values()] == {
        "existing-menu": ["1", "2", "3"], "cancel-confirm": ["1", "*"],
        "confirm-menu": ["1", "2"], "slot-menu": ["1", "2", "3"], "reference-menu": ["1"],
    }[menu]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_region_is_found_in_the_region_menu_before_its_own_key(language: str) -> None:
    text = CATALOG.text("region-menu", language)
    for code, key in (("praha", "1"), ("stredocesky", "2")):
        end = find_name(text, CATALOG.text(f"region-{code}", language))
        assert end is not None, (language, code, text)
        after = [word.key for word in key_words(text, language) if word.end > end]
        assert after[0] == key


def test_names_are_found_through_their_inflection_by_stem() -> None:
    assert find_name("Pro Prahu stiskněte jedna.", "Praha") is not None
    assert find_name("Для Середньочеського краю натисніть два.", "Середньочеський край")
    assert find_name("Pro Středočeský kraj stiskněte dva.", "Praha") is None


def test_word_time_spreads_the_text_evenly_over_the_prompt() -> None:
    assert word_time("abcdefghij", 5, started=10.0, duration_s=2.0) == 11.0


@pytest.mark.parametrize("language", LANGUAGES)
def test_todays_passport_prompt_says_skip_the_letters_and_end_with_hash(language: str) -> None:
    told = read_passport_instruction(CATALOG.text("passport-prompt", language), language)
    assert told.letters is LetterRule.SKIP
    assert told.ends_with_hash


@pytest.mark.parametrize(("language", "text"), [
    ("en", "Key only the digits of your passport number, skip the letters, then press #."),
    ("cs", "Zadejte jen číslice čísla pasu, písmena vynechte, a potom stiskněte mřížku."),
    ("uk", "Введіть лише цифри номера паспорта, літери пропустіть, потім натисніть решітку."),
    ("ru", "Введите только цифры номера паспорта, буквы пропустите, затем нажмите решётку."),
    ("vi", "Xin chỉ nhập các chữ số của hộ chiếu, bỏ qua các chữ cái, sau đó bấm phím thăng."),
])
def test_a_prompt_that_says_to_skip_the_letters_is_understood(language: str, text: str) -> None:
    told = read_passport_instruction(text, language)
    assert told.letters is LetterRule.SKIP
    assert told.ends_with_hash


def test_letters_mentioned_without_leaving_them_out_are_not_a_rule_to_skip() -> None:
    told = read_passport_instruction("Letters are on the keys. Press hash.", "en")
    assert told.letters is LetterRule.UNSPECIFIED


def test_keypad_digits_of_letters() -> None:
    assert keypad_digits("FE123456") == "33123456"
    assert keypad_digits("C1234567") == "21234567"
    assert digits_only("FE123456") == "123456"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_spoken_date_with_year_and_slot_time_decodes_back(language: str) -> None:
    speaker = speaker_for(language)
    day = dt.date(1900, 1, 1)
    while day < dt.date(2035, 1, 1):
        assert decode_date(speaker.date_with_year(day)) == day
        assert decode_weekday(speaker.weekday(day)) == day.isoweekday()
        day += dt.timedelta(days=5)
    for hour in range(24):
        for minute in range(60):
            moment = dt.time(hour, minute)
            assert decode_time(speaker.time(moment)) == moment


@pytest.mark.parametrize("language", LANGUAGES)
def test_digits_and_references_decode_back(language: str) -> None:
    speaker = speaker_for(language)
    assert "".join(decode_digit(i) or "" for i in speaker.digits("4702138")) == "4702138"
    assert "".join(decode_digit(i) or "" for i in speaker.reference("47021382")) == "47021382"
