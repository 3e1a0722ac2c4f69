"""What espeak-ng says for the catalog: no switch to another voice, no word read as letters.

The checks read the very input the backend synthesises (`EspeakBackend.phonemes`, `.trace`).
Office and region names get their own test, since a caller must recognise them at the office.
"""

from __future__ import annotations

import re

import pytest

from prompts.backends.espeak import EspeakBackend
from prompts.catalog import Catalog, load_catalog
from prompts.pronunciation import (
    SPOKEN_AS_LETTERS,
    PronunciationCheck,
    language_switches,
    letter_readings,
)
from prompts.spoken import segments
from tests.prompts.conftest import catalog_slice, require_tools

# IPA that espeak-ng's English voice uses and its Vietnamese voice never does
ENGLISH_ONLY_IPA = re.compile(r"ɹ|ɪ|ʊ|ɒ|æ|ʌ|ɜː|əʊ|eɪ|aɪ|aʊ|ɔɪ|θ|ð")

TRACE = """Translate 'з'
Found: 'з' [zE]
Translate 'у'
Found: 'у' [u]
Found: 'v' [v_]   $brk
Found: 'h' [ha3t]
"""


@pytest.fixture(scope="module")
def espeak() -> EspeakBackend:
    require_tools()
    return EspeakBackend()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def name_ids(catalog: Catalog) -> list[str]:
    return [i for i in catalog.ids if catalog.source(i).name == "names.toml"
            and i.startswith(("office-", "region-"))]


def test_trace_reading_finds_consonants_read_as_letter_names() -> None:
    assert letter_readings(TRACE) == ["з [zE]", "h [ha3t]"]  # not the vowel у, not cs "v"
    assert language_switches("(en)pɹˈɑː7hə1(vi) fˈoɜ") == ["en", "vi"]


def test_the_check_catches_an_unmarked_czech_name_and_a_lone_preposition(
    espeak: EspeakBackend, catalog: Catalog
) -> None:
    broken = Catalog(
        texts={"office-x": {"vi": "Praha, phố Hládkov", "uk": "вас з оператором"}},
        languages=("vi", "uk"), sources={"office-x": catalog.source("welcome")},
    )
    found = {(p.language, p.kind, p.detail) for p in PronunciationCheck(espeak).problems(broken)}
    assert ("vi", "switch", "(en) in a vi text") in found
    assert ("vi", "letters", "h [ha3t]") in found
    assert ("uk", "letters", "з [zE]") in found


@pytest.mark.parametrize("language", ["cs", "en", "uk", "ru", "vi"])
def test_every_office_and_region_name_is_said_whole_in_its_language(
    espeak: EspeakBackend, catalog: Catalog, language: str
) -> None:
    names = catalog_slice(catalog, name_ids(catalog))
    assert len(names.ids) == 14
    problems = PronunciationCheck(espeak).problems(names, languages=[language])
    assert [str(problem) for problem in problems] == []


def test_no_english_phonemes_in_a_vietnamese_name(espeak: EspeakBackend, catalog: Catalog) -> None:
    for prompt_id in name_ids(catalog):
        text = catalog.spoken_text(prompt_id, "vi")
        vietnamese = " ".join(p.text for p in segments(text, "vi") if p.language == "vi")
        if vietnamese.strip(" ,"):
            ipa = espeak.phonemes(vietnamese, "vi")
            assert not ENGLISH_ONLY_IPA.search(ipa), (prompt_id, vietnamese, ipa)
        # the Czech parts are said by the Czech voice: Praha is [prˈaha], not [pɹˈɑːhə]
        heard = espeak.phonemes(text, "vi").split()
        for part in segments(text, "vi"):
            if part.language == "cs":
                assert set(espeak.phonemes(part.text, "cs").split()) <= set(heard), prompt_id


def test_the_whole_catalog_in_every_language(espeak: EspeakBackend, catalog: Catalog) -> None:
    problems = PronunciationCheck(espeak).problems(catalog)
    assert [str(problem) for problem in problems] == []


def test_texts_read_as_letters_on_purpose_are_so_and_exist(
    espeak: EspeakBackend, catalog: Catalog
) -> None:
    for prompt_id, language in SPOKEN_AS_LETTERS:
        trace = espeak.trace(catalog.spoken_text(prompt_id, language), language)
        assert letter_readings(trace), (prompt_id, language)
