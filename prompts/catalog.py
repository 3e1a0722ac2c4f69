"""The prompt catalog: every sentence and fragment the IVR plays, in every language.

The catalog is the TOML files in `prompts/catalog/` (`flow.toml`, `names.toml`, `speech.toml`):
one table per prompt id, one key per language, `[welcome]` / `cs = "…"`. They are merged into one
`Catalog`, checked strictly, because Asterisk silently plays English when a language's file is
missing, so a gap would never be heard in testing:

- ids match `[a-z0-9-]+` and appear in one file only;
- every id has a text for every language and no other key but `note`;
- texts are non-empty strings without digits (numbers are written as the words to speak);
- a part said by another language's voice is marked `{cs:Hládkov}` (`prompts.spoken`), in a
  catalog language, without nesting.

`note` (optional, English) says where the prompt is played and what comes before and after
it: the context a voice artist needs (`ivr prompts recordings-needed`). `Catalog.text` is the
written text (marks removed, for displays and scripts); `Catalog.spoken_text` keeps the marks
for the TTS backends.

Exceptions:

    CatalogError (ValueError)          a catalog file breaks a rule; names the file and the id
    UnknownPromptError (LookupError)   `Catalog.text` asked for an id or language not there
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prompts.errors import PromptsError
from prompts.languages import language_codes
from prompts.spoken import markup_problem, written

DEFAULT_CATALOG_DIR = Path(__file__).resolve().parent / "catalog"
PROMPT_ID = re.compile(r"[a-z0-9-]+")
DIGIT = re.compile(r"\d")
NOTE = "note"


class CatalogError(PromptsError, ValueError):
    """A catalog file breaks a rule. `file` and `prompt_id` say where."""

    def __init__(self, message: str, *, file: Path, prompt_id: str | None = None) -> None:
        where = f"{file}" if prompt_id is None else f"{file} [{prompt_id}]"
        super().__init__(f"{where}: {message}")
        self.file = file
        self.prompt_id = prompt_id


class UnknownPromptError(PromptsError, LookupError):
    """The catalog has no text for this id or language."""


@dataclass(frozen=True)
class Catalog:
    """The merged, validated catalog. Ids keep file order (files sorted by name)."""

    texts: Mapping[str, Mapping[str, str]]  # as written in the files, marks included
    languages: tuple[str, ...]
    sources: Mapping[str, Path]
    notes: Mapping[str, str] = field(default_factory=dict)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def spoken_text(self, prompt_id: str, language: str) -> str:
        """The text with its `{cs:…}` marks, as the TTS backends take it."""
        try:
            return self.texts[prompt_id][language]
        except KeyError:
            raise UnknownPromptError(
                f"no prompt {prompt_id!r} in language {language!r}"
            ) from None

    def text(self, prompt_id: str, language: str) -> str:
        """The written text: what a display shows and a voice artist reads."""
        return written(self.spoken_text(prompt_id, language))

    def note(self, prompt_id: str) -> str | None:
        """Where the prompt is played, for a voice artist; None when the file gives none."""
        return self.notes.get(prompt_id)

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
    notes: dict[str, str] = {}
    for file in files:
        for prompt_id, table in _read_file(file).items():
            if prompt_id in sources:
                raise CatalogError(
                    f"duplicate id, already defined in {sources[prompt_id].name}",
                    file=file,
                    prompt_id=prompt_id,
                )
            texts[prompt_id] = _check_texts(file, prompt_id, table, wanted)
            sources[prompt_id] = file
            note = _check_note(file, prompt_id, table)
            if note is not None:
                notes[prompt_id] = note
    return Catalog(texts=texts, languages=wanted, sources=sources, notes=notes)


def _read_file(file: Path) -> dict[str, dict[str, object]]:
    try:
        with file.open("rb") as stream:
            document = tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"not valid TOML: {exc}", file=file) from exc
    entries: dict[str, dict[str, object]] = {}
    for prompt_id, table in document.items():
        if not PROMPT_ID.fullmatch(prompt_id):
            raise CatalogError("bad id: use only a-z, 0-9 and -", file=file, prompt_id=prompt_id)
        if not isinstance(table, dict):
            raise CatalogError(
                "must be a table of one text per language", file=file, prompt_id=prompt_id
            )
        entries[prompt_id] = table
    return entries


def _check_note(file: Path, prompt_id: str, table: Mapping[str, object]) -> str | None:
    note = table.get(NOTE)
    if note is None:
        return None
    if not isinstance(note, str) or not note.strip():
        raise CatalogError("note must be a non-empty string", file=file, prompt_id=prompt_id)
    return " ".join(note.split())


def _check_texts(
    file: Path, prompt_id: str, table: Mapping[str, object], languages: tuple[str, ...]
) -> dict[str, str]:
    unknown = sorted(set(table) - set(languages) - {NOTE})
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
        problem = markup_problem(text, languages)
        if problem is not None:
            raise CatalogError(f"{code}: {problem} in {text!r}", file=file, prompt_id=prompt_id)
        texts[code] = text.strip()
    return texts
