"""The espeak-ng backend against the installed engine."""

from __future__ import annotations

import pytest

from prompts.backends import SynthesisError
from prompts.backends.espeak import EspeakBackend
from prompts.languages import LANGUAGES
from prompts.settings import PromptSettings
from tests.prompts.conftest import require_tools


@pytest.mark.parametrize("language", [language.code for language in LANGUAGES])
def test_every_language_has_a_voice_that_speaks(language: str) -> None:
    require_tools()
    wav = EspeakBackend().synthesise("- a", language)  # a leading dash is text, not an option
    assert wav.startswith(b"RIFF") and len(wav) > 5_000


def test_same_text_same_bytes() -> None:
    require_tools()
    espeak = EspeakBackend()
    assert espeak.synthesise("Dobrý den", "cs") == espeak.synthesise("Dobrý den", "cs")


def test_unmapped_language_and_missing_engine_are_synthesis_errors() -> None:
    with pytest.raises(SynthesisError, match="no voice mapped for language 'de'"):
        EspeakBackend().voice("de")
    with pytest.raises(SynthesisError, match="could not run"):
        EspeakBackend(binary="/nonexistent/espeak-ng").synthesise("hello", "en")


def test_unknown_voice_fails_loudly() -> None:
    require_tools()
    # espeak-ng itself would quietly speak English with its default voice
    with pytest.raises(SynthesisError, match="has no voice 'no-such-voice' for language 'cs'"):
        EspeakBackend(voices={"cs": "no-such-voice"}).synthesise("hello", "cs")


def test_each_language_has_its_rate_and_the_rate_is_part_of_the_voice() -> None:
    espeak = EspeakBackend()
    assert espeak.voice("en") == "en-gb -s 170"  # the manifest and the cache key name it
    assert espeak.voice("cs") == "cs -s 175"
    assert EspeakBackend(speed_wpm=200).voice("cs") == "cs -s 200"
    settings = PromptSettings(espeak_speed_wpm=120)
    assert EspeakBackend.from_settings(settings).voice("vi") == "vi -s 120"
    assert EspeakBackend.from_settings(PromptSettings()).voice("vi") == "vi -s 165"


def test_a_faster_rate_speaks_the_same_text_in_less_time() -> None:
    require_tools()
    text = "Please enter your date of birth."
    slow = EspeakBackend(speed_wpm=120).synthesise(text, "en")
    fast = EspeakBackend(speed_wpm=220).synthesise(text, "en")
    assert len(fast) < 0.75 * len(slow)


def test_a_marked_part_is_said_by_the_other_voice_in_one_utterance() -> None:
    require_tools()
    espeak = EspeakBackend()
    options, ssml = espeak.espeak_input("phố {cs:Hládkov} & co", "vi")
    assert options == ["-m"]
    assert ssml == '<speak>phố <voice name="cs">Hládkov</voice> &amp; co</speak>'
    assert espeak.espeak_input("phố Hládkov", "vi") == ([], "phố Hládkov")
    # the vi voice spells the name letter by letter; the cs voice says it
    assert "hlˈaːtkov" in espeak.phonemes("phố {cs:Hládkov}", "vi")
    assert "hlˈaːtkov" not in espeak.phonemes("phố Hládkov", "vi")
    assert espeak.synthesise("phố {cs:Hládkov}", "vi").startswith(b"RIFF")
