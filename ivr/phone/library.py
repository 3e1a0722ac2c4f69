"""What the terminal phone knows about a prompt file: its text, its audio, how long it plays.

The flow plays a prompt of language L as the file name ``L/ivr/<id>`` (docs/architecture.md);
the phone turns that name back into the catalog text of ``id`` in ``L`` and the built file
``<sounds>/L/ivr/<id>.sln16`` (16 kHz, 16-bit mono, so its length gives the duration). Without
a built file the duration is estimated from the text at a speaking pace, so a person at the
terminal has time to read. ``pace`` scales durations: 0 for scripted calls that never wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

SLN16_BYTES_PER_SECOND = 16_000 * 2
CHARACTERS_PER_SECOND = 14.0
SHORTEST_PROMPT_SECONDS = 0.8


class PromptTexts(Protocol):
    """The prompt catalog as the phone uses it (``prompts.catalog.Catalog`` fits)."""

    def text(self, prompt_id: str, language: str) -> str: ...


@dataclass(frozen=True)
class PromptInfo:
    file_name: str
    language: str | None
    prompt_id: str
    text: str | None
    audio_path: Path | None
    seconds: float

    @property
    def exists(self) -> bool:
        return self.text is not None or self.audio_path is not None


class PromptLibrary:
    def __init__(
        self, *, texts: PromptTexts | None, sounds_dir: Path | None, pace: float = 1.0
    ) -> None:
        if pace < 0:
            raise ValueError("pace cannot be negative")
        self._texts = texts
        self._sounds_dir = sounds_dir
        self._pace = pace

    def lookup(self, file_name: str) -> PromptInfo:
        language, prompt_id = split_file_name(file_name)
        text = self._text(prompt_id, language)
        audio_path = self._audio(file_name)
        if audio_path is not None:
            seconds = audio_path.stat().st_size / SLN16_BYTES_PER_SECOND
        elif text is not None:
            seconds = max(SHORTEST_PROMPT_SECONDS, len(text) / CHARACTERS_PER_SECOND)
        else:
            seconds = 0.0
        return PromptInfo(
            file_name=file_name,
            language=language,
            prompt_id=prompt_id,
            text=text,
            audio_path=audio_path,
            seconds=seconds * self._pace,
        )

    def _text(self, prompt_id: str, language: str | None) -> str | None:
        if self._texts is None or language is None:
            return None
        try:
            return self._texts.text(prompt_id, language)
        except LookupError:
            return None

    def _audio(self, file_name: str) -> Path | None:
        if self._sounds_dir is None:
            return None
        path = self._sounds_dir / f"{file_name}.sln16"
        return path if path.is_file() else None


def split_file_name(file_name: str) -> tuple[str | None, str]:
    """``"en/ivr/welcome"`` → ``("en", "welcome")``; any other name → ``(None, name)``."""
    parts = file_name.split("/")
    if len(parts) == 3 and parts[1] == "ivr" and parts[0] and parts[2]:
        return parts[0], parts[2]
    return None, file_name
