"""Content-addressed cache of rendered prompts (default `build/tts-cache`).

The key is the SHA-256 of everything that decides the audio: the pipeline version (sox
parameters), the backend, its voice, the language and the text (or the recording's hash). An
entry is the three output files `<key>.sln16|ulaw|alaw`, so a cache hit costs a file copy and
no engine or sox run. Entries are written to a temporary name and renamed, so a crash never
leaves half an entry that a later build would trust. Hand-written because it is thirty lines;
`diskcache` and friends store pickles in SQLite, which a file copy from here cannot use.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from prompts.audio import FORMATS, SLN16_RATE, RenderedAudio


def cache_key(*parts: str) -> str:
    """SHA-256 of the parts, unambiguously joined."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same directory and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class AudioCache:
    directory: Path

    def path(self, key: str, audio_format: str) -> Path:
        return self.directory / f"{key}.{audio_format}"

    def has(self, key: str) -> bool:
        return all(self.path(key, audio_format).is_file() for audio_format in FORMATS)

    def put(self, key: str, audio: RenderedAudio) -> None:
        for audio_format, data in audio.by_format().items():
            write_atomically(self.path(key, audio_format), data)

    def duration_s(self, key: str) -> float:
        return self.path(key, "sln16").stat().st_size / (2 * SLN16_RATE)
