"""`manifest.json` next to the built sounds: which backend and voice made each file, how long it
plays, and the cache key it was built from (so a rebuild skips what did not change).

The flow and the benchmarks read prompt durations from it: `Manifest.load(path).duration_s(id,
language)`. It is written sorted and without timestamps, so rebuilds are byte-identical.

Exceptions:

    ManifestError (ValueError)            the file is not a manifest of this pipeline
    UnknownPromptError (LookupError)      no entry for this id and language (from prompts.catalog)
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from prompts.catalog import UnknownPromptError
from prompts.errors import PromptsError

MANIFEST_NAME = "manifest.json"


class ManifestError(PromptsError, ValueError):
    """The manifest file cannot be read as a manifest."""


@dataclass(frozen=True)
class ManifestEntry:
    backend: str
    voice: str
    duration_s: float
    key: str


@dataclass
class Manifest:
    pipeline: str
    formats: tuple[str, ...]
    prompts: dict[str, dict[str, ManifestEntry]] = field(default_factory=dict)

    def entry(self, prompt_id: str, language: str) -> ManifestEntry:
        try:
            return self.prompts[language][prompt_id]
        except KeyError:
            raise UnknownPromptError(
                f"manifest has no prompt {prompt_id!r} in language {language!r}"
            ) from None

    def duration_s(self, prompt_id: str, language: str) -> float:
        """How long the built prompt plays, padding included."""
        return self.entry(prompt_id, language).duration_s

    def dumps(self) -> str:
        document = {
            "pipeline": self.pipeline,
            "formats": list(self.formats),
            "prompts": {
                language: {prompt_id: asdict(entry) for prompt_id, entry in sorted(entries.items())}
                for language, entries in sorted(self.prompts.items())
            },
        }
        return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"

    @classmethod
    def loads(cls, text: str) -> Manifest:
        try:
            document = json.loads(text)
            return cls(
                pipeline=str(document["pipeline"]),
                formats=tuple(document["formats"]),
                prompts={
                    language: {
                        prompt_id: ManifestEntry(**entry) for prompt_id, entry in entries.items()
                    }
                    for language, entries in document["prompts"].items()
                },
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ManifestError(f"not a prompt manifest: {exc}") from exc

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """Read `path`, or the `manifest.json` inside it when it is a directory."""
        if path.is_dir():
            path = path / MANIFEST_NAME
        try:
            return cls.loads(path.read_text(encoding="utf-8"))
        except ManifestError as exc:
            raise ManifestError(f"{path}: {exc}") from exc
