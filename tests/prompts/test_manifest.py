"""The manifest round trip and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from prompts.catalog import UnknownPromptError
from prompts.manifest import Manifest, ManifestEntry, ManifestError


def test_round_trip_and_durations(tmp_path: Path) -> None:
    manifest = Manifest(
        pipeline="v1", formats=("sln16",),
        prompts={"cs": {"welcome": ManifestEntry(backend="espeak", voice="cs",
                                                 duration_s=2.5, key="k")}},
    )
    (tmp_path / "manifest.json").write_text(manifest.dumps(), encoding="utf-8")
    loaded = Manifest.load(tmp_path)
    assert loaded == manifest
    assert loaded.duration_s("welcome", "cs") == 2.5
    with pytest.raises(UnknownPromptError, match="'goodbye'"):
        loaded.duration_s("goodbye", "cs")


def test_a_file_that_is_not_a_manifest_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text('{"formats": []}', encoding="utf-8")
    with pytest.raises(ManifestError, match=r"manifest\.json: not a prompt manifest"):
        Manifest.load(path)
