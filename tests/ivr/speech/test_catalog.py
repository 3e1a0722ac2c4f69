"""prompts/catalog/speech.toml: generated, up to date, and within the catalog contract."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from ivr.speech import LANGUAGES, fragment_ids, speech_catalog
from ivr.speech.export import DEFAULT_PATH, catalog_toml, main
from ivr.speech.ids import describe


def test_checked_in_file_is_up_to_date() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == catalog_toml(), (
        "prompts/catalog/speech.toml is stale: run python -m ivr.speech.export"
    )


def test_file_holds_exactly_the_fragment_ids_in_every_language() -> None:
    parsed = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert set(parsed) == fragment_ids()
    notes = {fragment: texts.pop("note") for fragment, texts in parsed.items()}
    assert notes == {fragment: describe(fragment) for fragment in fragment_ids()}
    assert parsed == speech_catalog()
    for fragment, texts in parsed.items():
        assert re.fullmatch(r"[a-z0-9-]+", fragment)
        assert list(texts) == list(LANGUAGES), fragment
        for language, text in texts.items():
            assert text.strip(), (fragment, language)
            assert not re.search(r"\d", text), (fragment, language, text)


def test_fragment_count_keeps_the_build_small() -> None:
    # ~15 ms of espeak plus sox per fragment and language: 5 x 200 fragments stay far
    # below the 30 s budget of a cold prompt build.
    assert len(fragment_ids()) <= 200


def test_export_writes_and_check_detects_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "speech.toml"
    assert main(["--path", str(target), "--check"]) == 1  # missing
    assert main(["--path", str(target)]) == 0
    assert main(["--path", str(target), "--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("pátého", "pátý"))
    assert main(["--path", str(target), "--check"]) == 1
