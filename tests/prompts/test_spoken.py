"""Parts of a text said by another language's voice: `{cs:Hládkov}`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from prompts.catalog import CatalogError, load_catalog
from prompts.spoken import Segment, marked_parts, markup_problem, segments, written

LANGUAGES = ("cs", "en", "uk", "ru", "vi")


def test_written_text_drops_the_marks() -> None:
    assert written("{cs:Praha}, phố {cs:Hládkov}") == "Praha, phố Hládkov"
    assert written("Xin chào.") == "Xin chào."


def test_segments_say_each_part_in_its_voice() -> None:
    assert segments("Để chọn {cs:Praha}, bấm phím một.", "vi") == (
        Segment("Để chọn ", "vi"), Segment("Praha", "cs"), Segment(", bấm phím một.", "vi"),
    )
    assert segments("{cs:Kolín}", "en") == (Segment("Kolín", "cs"),)
    assert segments("Hello.", "en") == (Segment("Hello.", "en"),)
    assert marked_parts("Prague, {cs:Žukovského}") == [Segment("Žukovského", "cs")]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{cs:Praha", "brace outside"),
        ("{cs:{cs:Praha}}", "brace outside"),
        ("Praha}", "brace outside"),
        ("{de:Prag}", "unknown language.*de"),
        ("{cs:}", "brace outside"),
    ],
)
def test_broken_marks_are_named(text: str, problem: str) -> None:
    found = markup_problem(text, LANGUAGES)
    assert found is not None
    assert re.search(problem, found), found


def test_the_catalog_refuses_broken_marks_and_shows_written_text(tmp_path: Path) -> None:
    table = 'cs = "Praha"\nen = "Prague"\nuk = "Прага"\nru = "Прага"\nvi = "{cs:Praha}"\n'
    (tmp_path / "names.toml").write_text(f"[region-praha]\n{table}", encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert catalog.text("region-praha", "vi") == "Praha"
    assert catalog.spoken_text("region-praha", "vi") == "{cs:Praha}"
    (tmp_path / "names.toml").write_text(
        f"[region-praha]\n{table.replace('{cs:Praha}', '{xx:Praha}')}", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match=r"\[region-praha\]: vi: mark in unknown language"):
        load_catalog(tmp_path)


def test_a_note_is_context_not_a_language(tmp_path: Path) -> None:
    table = 'note = "Played  first."\ncs = "a"\nen = "b"\nuk = "c"\nru = "d"\nvi = "e"\n'
    (tmp_path / "flow.toml").write_text(f"[welcome]\n{table}", encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert catalog.note("welcome") == "Played first."
    (tmp_path / "flow.toml").write_text(f"[welcome]\n{table.replace('Played  first.', '')}",
                                        encoding="utf-8")
    with pytest.raises(CatalogError, match="note must be"):
        load_catalog(tmp_path)
