"""Human recordings, `prompts/recorded/<lang>/<id>.wav`, which always win over TTS.

A studio delivers one WAV per prompt and language (any rate, mono or stereo: sox converts it).
The builder takes the recording instead of synthesising the text; the manifest then says
`recorded`. The cache key of a recording is the hash of its bytes, so replacing a file rebuilds
it and only it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Recording:
    language: str
    prompt_id: str
    path: Path


@dataclass(frozen=True)
class RecordedPrompts:
    """The recordings under `directory`; a missing directory simply has none."""

    directory: Path

    def find(self, language: str, prompt_id: str) -> Path | None:
        path = self.directory / language / f"{prompt_id}.wav"
        return path if path.is_file() else None

    def all(self) -> list[Recording]:
        """Every recording present, sorted by language then id."""
        return [
            Recording(language=path.parent.name, prompt_id=path.stem, path=path)
            for path in sorted(self.directory.glob("*/*.wav"))
        ]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
