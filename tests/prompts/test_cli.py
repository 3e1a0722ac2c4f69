"""`ivr prompts build` and `ivr prompts duration` end to end on a two-prompt catalog."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ivr.cli import app
from prompts.manifest import Manifest
from tests.prompts.conftest import require_tools

CATALOG = """
[welcome]
cs = "Dobrý den."
en = "Hello."
uk = "Добрий день."
ru = "Здравствуйте."
vi = "Xin chào."

[goodbye]
cs = "Na shledanou."
en = "Goodbye."
uk = "До побачення."
ru = "До свидания."
vi = "Tạm biệt."
"""


def test_build_then_read_a_duration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    require_tools()
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog/flow.toml").write_text(CATALOG, encoding="utf-8")
    monkeypatch.setenv("PROMPTS_CATALOG_DIR", str(tmp_path / "catalog"))
    monkeypatch.setenv("PROMPTS_RECORDED_DIR", str(tmp_path / "recorded"))
    out = tmp_path / "sounds"
    runner = CliRunner()
    result = runner.invoke(app, ["prompts", "build", "--out", str(out), "--cache-dir",
                                 str(tmp_path / "cache"), "--languages", "cs,en"])
    assert result.exit_code == 0, result.output
    assert "4 prompts in cs, en: 4 rendered" in result.output
    assert sorted(p.name for p in (out / "en/ivr").iterdir()) == [
        "goodbye.alaw", "goodbye.sln16", "goodbye.ulaw",
        "welcome.alaw", "welcome.sln16", "welcome.ulaw",
    ]
    result = runner.invoke(app, ["prompts", "duration", "welcome", "cs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = Manifest.load(out).duration_s("welcome", "cs")
    assert float(result.output) == pytest.approx(expected, abs=1e-3)


def test_errors_are_reported_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog/flow.toml").write_text(CATALOG.replace("Hello.", "Press 2."),
                                                encoding="utf-8")
    monkeypatch.setenv("PROMPTS_CATALOG_DIR", str(tmp_path / "catalog"))
    result = CliRunner().invoke(app, ["prompts", "build", "--out", str(tmp_path / "sounds")])
    assert result.exit_code == 1
    assert "prompt build failed" in result.output and "[welcome]" in result.output
    result = CliRunner().invoke(app, ["prompts", "build", "--backend", "festival"])
    assert result.exit_code == 2


def test_pronunciation_names_what_the_voice_gets_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_tools()
    (tmp_path / "catalog").mkdir()
    (tmp_path / "catalog/flow.toml").write_text(
        CATALOG.replace("Xin chào.", "Praha, phố Hládkov."), encoding="utf-8"
    )
    monkeypatch.setenv("PROMPTS_CATALOG_DIR", str(tmp_path / "catalog"))
    runner = CliRunner()
    result = runner.invoke(app, ["prompts", "pronunciation", "vi", "--ipa"])
    assert result.exit_code == 1
    assert "vi/welcome: switch: (en) in a vi text" in result.output
    assert "vi/welcome: letters: h [ha3t]" in result.output
    assert "vi\tgoodbye\tTạm biệt." in result.output
    assert runner.invoke(app, ["prompts", "pronunciation", "cs"]).exit_code == 0


def test_duration_of_a_prompt_not_built_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["prompts", "duration", "welcome", "cs", "--out",
                                      str(tmp_path)])
    assert result.exit_code == 1
    assert "manifest.json" in result.output
