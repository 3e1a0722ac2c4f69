"""The catalog loader: merging files and refusing every broken rule with file and id named."""

from __future__ import annotations

from pathlib import Path

import pytest

from prompts.catalog import CatalogError, UnknownPromptError, load_catalog

FIVE = 'cs = "a"\nen = "b"\nuk = "c"\nru = "d"\nvi = "e"\n'


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_merges_files_in_name_order_and_reads_texts(tmp_path: Path) -> None:
    write(tmp_path, "b.toml", f"[second]\n{FIVE}")
    write(tmp_path, "a.toml", f"[first]\n{FIVE}\n[third]\n{FIVE}")
    catalog = load_catalog(tmp_path)
    assert catalog.ids == ("first", "third", "second")
    assert catalog.languages == ("cs", "en", "uk", "ru", "vi")
    assert catalog.text("second", "uk") == "c"
    assert catalog.source("second") == tmp_path / "b.toml"


def test_unknown_id_or_language_is_a_lookup_error(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", f"[first]\n{FIVE}")
    catalog = load_catalog(tmp_path)
    with pytest.raises(UnknownPromptError, match="nope"):
        catalog.text("nope", "cs")
    with pytest.raises(UnknownPromptError, match="'de'"):
        catalog.text("first", "de")


def test_duplicate_id_across_files_names_both_files(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", f"[welcome]\n{FIVE}")
    write(tmp_path, "b.toml", f"[welcome]\n{FIVE}")
    with pytest.raises(CatalogError, match=r"b\.toml \[welcome\]: duplicate id.*a\.toml") as err:
        load_catalog(tmp_path)
    assert err.value.prompt_id == "welcome"
    assert err.value.file == tmp_path / "b.toml"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('[x]\ncs = "a"\nen = "b"\nuk = "c"\nru = "d"\n', "missing language.*vi"),
        (f'[x]\n{FIVE}de = "f"\n', "unknown language.*de"),
        ('[x]\ncs = "a"\nen = "press 2"\nuk = "c"\nru = "d"\nvi = "e"\n', "en: digits"),
        ('[x]\ncs = "a"\nen = "b"\nuk = "c"\nru = "d"\nvi = "bấm ٣"\n', "vi: digits"),
        ('[x]\ncs = "a"\nen = "  "\nuk = "c"\nru = "d"\nvi = "e"\n', "en: text must be"),
        ('[x]\ncs = "a"\nen = 2\nuk = "c"\nru = "d"\nvi = "e"\n', "en: text must be"),
        (f'["Bad_Id"]\n{FIVE}', "bad id"),
        (f'["a/b"]\n{FIVE}', "bad id"),
        ('x = "not a table"\n', "must be a table"),
    ],
)
def test_refuses_broken_tables_naming_file_and_id(
    tmp_path: Path, table: str, message: str
) -> None:
    write(tmp_path, "flow.toml", table)
    with pytest.raises(CatalogError, match=message) as err:
        load_catalog(tmp_path)
    assert str(err.value).startswith(str(tmp_path / "flow.toml"))


def test_refuses_invalid_toml_and_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"no \*\.toml"):
        load_catalog(tmp_path)
    write(tmp_path, "a.toml", "[x\n")
    with pytest.raises(CatalogError, match="not valid TOML"):
        load_catalog(tmp_path)


def test_a_new_language_is_a_new_column(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", f'[x]\n{FIVE}sk = "f"\n')
    catalog = load_catalog(tmp_path, languages=["cs", "en", "uk", "ru", "vi", "sk"])
    assert catalog.text("x", "sk") == "f"


def test_the_real_catalog_loads_with_texts_in_every_language() -> None:
    catalog = load_catalog()
    assert {"welcome", "office-praha-zukovskeho", "visit-ltr-new"} <= set(catalog.ids)
    for language in catalog.languages:
        assert all(catalog.text(prompt_id, language) for prompt_id in catalog.ids)


def test_each_language_option_names_its_own_key() -> None:
    catalog = load_catalog()
    keys = {"cs": "jedna", "en": "two", "uk": "три", "ru": "четыре", "vi": "năm"}
    for language, key in keys.items():
        assert key in catalog.text("language-option", language)
