"""The prompt catalog: every sentence and fragment the IVR plays, in every language.

The catalog is the TOML files in `prompts/catalog/` (`flow.toml`, `names.toml`, `speech.toml`):
one table per prompt id, one key per language, `[welcome]` / `cs = "…"`. They are merged into one
`Catalog`, checked strictly, because Asterisk silently plays English when a language's file is
missing, so a gap would never be heard in testing:

- ids match `[a-z0-9-]+` and appear in one file only;
- every id has a text for every language and no other key;
- texts are non-empty strings without digits (numbers are written as the words to speak).

Exceptions:

    CatalogError (ValueError)          a catalog file breaks a rule; names the file and the id
    UnknownPromptError (LookupError)   `Catalog.text` asked for an id or language not there
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from prompts.languages import language_codes

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
PROMPT_ID = re.compile(r"[a-z0-9-]+")
DIGIT = re.compile(r"\d")


class CatalogError(ValueError):
    """A catalog file breaks a rule. `file` and `prompt_id` say where."""

    def __init__(self, message: str, *, file: Path, prompt_id: str | None = None) -> None:
        where = f"{file}" if prompt_id is None else f"{file} [{prompt_id}]"
        super().__init__(f"{where}: {message}")
        self.file = file
        self.prompt_id = prompt_id


class UnknownPromptError(LookupError):
    """The catalog has no text for this id or language."""


@dataclass(frozen=True)
class Catalog:
    """The merged, validated catalog. Ids keep file order (files sorted by name)."""

    texts: Mapping[str, Mapping[str, str]]
    languages: tuple[str, ...]
    sources: Mapping[str, Path]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def text(self, prompt_id: str, language: str) -> str:
        try:
            return self.texts[prompt_id][language]
        except KeyError:
            raise UnknownPromptError(
                f"no prompt {prompt_id!r} in language {language!r}"
            ) from None

    def source(self, prompt_id: str) -> Path:
        """The catalog file that defines this id."""
        try:
            return self.sources[prompt_id]
        except KeyError:
            raise UnknownPromptError(f"no prompt {prompt_id!r}") from None


def load_catalog(
    directory: Path = DEFAULT_CATALOG_DIR, *, languages: Sequence[str] | None = None
) -> Catalog:
    """Read and check every `*.toml` of `directory`; `languages` defaults to all supported."""
    wanted = tuple(languages) if languages is not None else language_codes()
    files = sorted(directory.glob("*.toml"))
    if not files:
        raise CatalogError("no *.toml catalog files", file=directory)
    texts: dict[str, dict[str, str]] = {}
    sources: dict[str, Path] = {}
    for file in files:
        for prompt_id, by_language in _read_file(file, wanted).items():
            if prompt_id in sources:
                raise CatalogError(
                    f"duplicate id, already defined in {sources[prompt_id].name}",
                    file=file,
                    prompt_id=prompt_id,
                )
            texts[prompt_id] = by_language
            sources[prompt_id] = file
    return Catalog(texts=texts, languages=wanted, sources=sources)


def _read_file(file: Path, languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    try:
        with file.open("rb") as stream:
            document = tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"not valid TOML: {exc}", file=file) from exc
    entries: dict[str, dict[str, str]] = {}
    for prompt_id, table in document.items():
        if not PROMPT_ID.fullmatch(prompt_id):
            raise CatalogError("bad id: use only a-z, 0-9 and -", file=file, prompt_id=prompt_id)
        if not isinstance(table, dict):
            raise CatalogError(
                "must be a table of one text per language", file=file, prompt_id=prompt_id
            )
        entries[prompt_id] = _check_texts(file, prompt_id, table, languages)
    return entries


def _check_texts(
    file: Path, prompt_id: str, table: Mapping[str, object], languages: tuple[str, ...]
) -> dict[str, str]:
    unknown = sorted(set(table) - set(languages))
    if unknown:
        raise CatalogError(
            f"unknown language(s) {', '.join(unknown)}; expected {', '.join(languages)}",
            file=file,
            prompt_id=prompt_id,
        )
    missing = [code for code in languages if code not in table]
    if missing:
        raise CatalogError(
            f"missing language(s) {', '.join(missing)}", file=file, prompt_id=prompt_id
        )
    texts: dict[str, str] = {}
    for code in languages:
        text = table[code]
        if not isinstance(text, str) or not text.strip():
            raise CatalogError(f"{code}: text must be a non-empty string", file=file,
                               prompt_id=prompt_id)
        if DIGIT.search(text):
            raise CatalogError(
                f"{code}: digits in {text!r}; write numbers as the words to speak",
                file=file,
                prompt_id=prompt_id,
            )
        texts[code] = text.strip()
    return texts
