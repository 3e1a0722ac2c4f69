"""Studio recordings: looking them up, the script, the check, a language played from them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ivr.cli import app
from prompts.audio import SoxConverter
from prompts.backends.espeak import EspeakBackend
from prompts.build import PromptBuilder
from prompts.cache import AudioCache
from prompts.catalog import Catalog, load_catalog
from prompts.manifest import Manifest
from prompts.recorded import RecordedPrompts, RecordingCheck, RecordingError, recording_script
from tests.prompts.conftest import espeak_wav, require_tools


def test_finds_recordings_by_language_and_id(tmp_path: Path) -> None:
    (tmp_path / "cs").mkdir()
    (tmp_path / "vi").mkdir()
    (tmp_path / "cs/welcome.wav").write_bytes(b"x")
    (tmp_path / "vi/goodbye.wav").write_bytes(b"x")
    (tmp_path / "cs/notes.txt").write_text("not a recording")
    recorded = RecordedPrompts(tmp_path)
    assert recorded.find("cs", "welcome") == tmp_path / "cs/welcome.wav"
    assert recorded.find("en", "welcome") is None
    assert [(r.language, r.prompt_id) for r in recorded.all()] == [
        ("cs", "welcome"), ("vi", "goodbye"),
    ]


def test_a_missing_directory_has_no_recordings(tmp_path: Path) -> None:
    recorded = RecordedPrompts(tmp_path / "none")
    assert recorded.all() == []
    assert recorded.find("cs", "welcome") is None


# -- the studio path: script, check, a language played from recordings only -------------------

CATALOG = """
[welcome]
note = "First words of a call."
cs = "Dobrý den."
en = "Hello."
uk = "Добрий день."
ru = "Здравствуйте."
vi = "Xin chào."

[office-kolin]
note = "Office name."
cs = "Kolín"
en = "{cs:Kolín}"
uk = "Колін"
ru = "Колин"
vi = "{cs:Kolín}"
"""


def small_catalog(tmp: Path) -> Catalog:
    (tmp / "catalog").mkdir(exist_ok=True)
    (tmp / "catalog/flow.toml").write_text(CATALOG, encoding="utf-8")
    return load_catalog(tmp / "catalog")


def take(path: Path, text: str, *, effect: list[str] | None = None) -> None:
    """A take made of espeak-ng speech, through sox `effect` (gain for clipping)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    wav = espeak_wav(text, "cs")
    path.write_bytes(subprocess.run(["sox", "-D", "-V1", "-t", "wav", "-", "-t", "wav", "-",
                                     *(effect or [])], input=wav, capture_output=True,
                                    check=True).stdout)


def silence(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["sox", "-n", "-r", "16000", "-c", "1", str(path), "trim", "0", "1"],
                   check=True)


def test_the_script_gives_text_and_context(tmp_path: Path) -> None:
    script = recording_script(small_catalog(tmp_path), "vi")
    assert [(line.prompt_id, line.text) for line in script] == [
        ("welcome", "Xin chào."), ("office-kolin", "Kolín"),
    ]
    assert script[0].context == "First words of a call."
    assert script[1].context == "Office name. Say Kolín as in Czech."


def test_the_check_names_missing_stray_silent_and_clipped_takes(tmp_path: Path) -> None:
    require_tools()
    catalog = small_catalog(tmp_path)
    recorded = tmp_path / "recorded"
    take(recorded / "cs/welcome.wav", "Dobrý den.")
    take(recorded / "cs/office-kolin.wav", "Kolín")
    check = RecordingCheck(RecordedPrompts(recorded), SoxConverter())
    assert check.problems(catalog, "cs") == []
    take(recorded / "cs/welcome.wav", "Dobrý den.", effect=["gain", "12"])
    silence(recorded / "cs/office-kolin.wav")
    take(recorded / "cs/goodbye.wav", "Na shledanou.")
    problems = [str(problem) for problem in check.problems(catalog, "cs")]
    assert [p.split(" (")[0] for p in problems] == [
        "cs/welcome: clipped", "cs/office-kolin: silent",
        "cs/goodbye: a take of no prompt in the catalog",
    ]
    assert [str(p) for p in check.problems(catalog, "en")] == [
        "en/welcome: not recorded", "en/office-kolin: not recorded",
    ]


def test_a_recorded_language_is_built_only_from_a_complete_set(tmp_path: Path) -> None:
    require_tools()
    catalog = small_catalog(tmp_path)
    recorded = tmp_path / "recorded"
    take(recorded / "uk/welcome.wav", "Dobrý den.")
    builder = PromptBuilder(
        backend=EspeakBackend(), recorded=RecordedPrompts(recorded),
        cache=AudioCache(tmp_path / "cache"), converter=SoxConverter(), jobs=1,
        recorded_languages=["uk"],
    )
    with pytest.raises(RecordingError, match="uk/office-kolin: not recorded"):
        builder.build(catalog, out_dir=tmp_path / "sounds", languages=["uk"])
    take(recorded / "uk/office-kolin.wav", "Kolín")
    builder.build(catalog, out_dir=tmp_path / "sounds", languages=["uk", "cs"])
    manifest = Manifest.load(tmp_path / "sounds")
    assert {entry.backend for entry in manifest.prompts["uk"].values()} == {"recorded"}
    assert {entry.backend for entry in manifest.prompts["cs"].values()} == {"espeak"}


def test_the_commands_print_the_script_and_check_the_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tools()
    small_catalog(tmp_path)
    monkeypatch.setenv("PROMPTS_CATALOG_DIR", str(tmp_path / "catalog"))
    monkeypatch.setenv("PROMPTS_RECORDED_DIR", str(tmp_path / "recorded"))
    runner = CliRunner()
    result = runner.invoke(app, ["prompts", "recordings-needed", "en", "--tsv"])
    assert result.exit_code == 0, result.output
    expected = "office-kolin\tKolín\tOffice name. Say Kolín as in Czech."
    assert result.output.splitlines()[1] == expected
    result = runner.invoke(app, ["prompts", "recordings-check", "cs"])
    assert result.exit_code == 1 and "cs/welcome: not recorded" in result.output
    take(tmp_path / "recorded/cs/welcome.wav", "Dobrý den.")
    take(tmp_path / "recorded/cs/office-kolin.wav", "Kolín")
    result = runner.invoke(app, ["prompts", "recordings-check", "cs"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["prompts", "recordings-needed", "cs", "--missing"])
    assert result.output.strip() == f"0 takes, each to {tmp_path / 'recorded/cs'}/<id>.wav"
    assert runner.invoke(app, ["prompts", "recordings-needed", "de"]).exit_code == 2
