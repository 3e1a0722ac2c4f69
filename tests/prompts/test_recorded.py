"""Looking up studio recordings."""

from __future__ import annotations

from pathlib import Path

from prompts.recorded import RecordedPrompts


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
