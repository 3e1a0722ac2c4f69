"""Prompt lookup: the file name `L/ivr/<id>` back to the catalog text, the audio and its length."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr.phone.library import PromptLibrary, split_file_name


class Texts:
    def text(self, prompt_id: str, language: str) -> str:
        if prompt_id == "welcome" and language == "en":
            return "Welcome to the booking line of the immigration offices."
        raise LookupError(prompt_id)


def test_split_file_name() -> None:
    assert split_file_name("vi/ivr/goodbye") == ("vi", "goodbye")
    assert split_file_name("beep") == (None, "beep")
    assert split_file_name("en/other/goodbye") == (None, "en/other/goodbye")


def test_duration_comes_from_the_built_audio(tmp_path: Path) -> None:
    (tmp_path / "en" / "ivr").mkdir(parents=True)
    (tmp_path / "en" / "ivr" / "welcome.sln16").write_bytes(b"\0" * 48_000)
    prompt = PromptLibrary(texts=Texts(), sounds_dir=tmp_path).lookup("en/ivr/welcome")
    assert prompt.audio_path == tmp_path / "en" / "ivr" / "welcome.sln16"
    assert prompt.seconds == pytest.approx(1.5)
    assert prompt.text is not None and prompt.text.startswith("Welcome")
    assert prompt.exists


def test_without_audio_the_duration_is_a_reading_time(tmp_path: Path) -> None:
    library = PromptLibrary(texts=Texts(), sounds_dir=tmp_path)
    prompt = library.lookup("en/ivr/welcome")
    assert prompt.audio_path is None
    assert 2 < prompt.seconds < 6
    assert PromptLibrary(texts=Texts(), sounds_dir=None, pace=0).lookup(
        "en/ivr/welcome"
    ).seconds == 0


def test_an_unknown_prompt_does_not_exist() -> None:
    prompt = PromptLibrary(texts=Texts(), sounds_dir=None).lookup("cs/ivr/welcome")
    assert prompt.text is None
    assert not prompt.exists
    with pytest.raises(ValueError):
        PromptLibrary(texts=None, sounds_dir=None, pace=-1)
