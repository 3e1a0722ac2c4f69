"""Studio recordings, `prompts/recorded/<lang>/<id>.wav`: their script, their check, their use.

A studio delivers one WAV per prompt and language (any rate, mono or stereo: sox converts it).
The builder takes the recording instead of synthesising the text; the manifest then says
`recorded`. The cache key of a recording is the hash of its bytes, so replacing a file rebuilds
it and only it.

- `recording_script(catalog, language)` is what a voice artist reads: each id with its text
  (the written text, marks removed) and its context (the catalog's `note`, and which names to
  say the Czech way). `ivr prompts recordings-needed LANG` prints it.
- `RecordingCheck.problems(catalog, language)` says what a set lacks or gets wrong: an id with
  no take, a take of no id, a take that is silent or clipped (sox `stats`: RMS below -45 dBFS
  or a peak below -30 dBFS is no speech; a peak at full scale with samples flat at it is
  clipping). `ivr prompts recordings-check LANG` prints it.
- A language named in `PromptSettings.recorded_languages` (env `PROMPTS_RECORDED_LANGUAGES`,
  a JSON list) is one whose TTS the recordings replace: the build refuses it, with
  `RecordingError`, until its set passes the check, so no call mixes a human voice with the
  synthesiser. Other languages take whatever recordings they have, one prompt at a time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from prompts.audio import AudioError, SoxConverter
from prompts.catalog import Catalog
from prompts.errors import PromptsError
from prompts.spoken import marked_parts

SILENT_RMS_DB: Final = -45.0
SILENT_PEAK_DB: Final = -30.0
CLIPPED_PEAK_DB: Final = -0.1
CLIPPED_FLAT_FACTOR: Final = 1.0
LANGUAGE_NAMES: Final = {"cs": "Czech", "en": "English", "uk": "Ukrainian", "ru": "Russian",
                         "vi": "Vietnamese"}


class RecordingError(PromptsError, ValueError):
    """A language whose TTS recordings must replace has an incomplete or broken set."""


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


@dataclass(frozen=True)
class ScriptLine:
    prompt_id: str
    text: str
    context: str


def recording_script(catalog: Catalog, language: str) -> list[ScriptLine]:
    """Every prompt of `language` as a voice artist reads it, in catalog order."""
    lines = []
    for prompt_id in catalog.ids:
        spoken = catalog.spoken_text(prompt_id, language)
        context = [catalog.note(prompt_id) or ""]
        for code in sorted({part.language for part in marked_parts(spoken)} - {language}):
            names = ", ".join(part.text for part in marked_parts(spoken) if part.language == code)
            context.append(f"Say {names} as in {LANGUAGE_NAMES.get(code, code)}.")
        lines.append(ScriptLine(prompt_id=prompt_id, text=catalog.text(prompt_id, language),
                                context=" ".join(part for part in context if part)))
    return lines


@dataclass(frozen=True)
class RecordingProblem:
    language: str
    prompt_id: str
    problem: str

    def __str__(self) -> str:
        return f"{self.language}/{self.prompt_id}: {self.problem}"


@dataclass(frozen=True)
class RecordingCheck:
    recorded: RecordedPrompts
    converter: SoxConverter

    def problems(self, catalog: Catalog, language: str) -> list[RecordingProblem]:
        """Missing, stray, silent, clipped or unreadable takes of `language`, by id."""
        found: list[RecordingProblem] = []
        present = {r.prompt_id: r.path for r in self.recorded.all() if r.language == language}
        for prompt_id in catalog.ids:
            path = present.get(prompt_id)
            if path is None:
                found.append(RecordingProblem(language, prompt_id, "not recorded"))
                continue
            problem = self._take_problem(path)
            if problem is not None:
                found.append(RecordingProblem(language, prompt_id, problem))
        found += [RecordingProblem(language, prompt_id, "a take of no prompt in the catalog")
                  for prompt_id in sorted(set(present) - set(catalog.ids))]
        return found

    def require_complete(self, catalog: Catalog, language: str) -> None:
        """Raise `RecordingError` unless every prompt of `language` has a usable take."""
        problems = self.problems(catalog, language)
        if problems:
            shown = "; ".join(str(problem) for problem in problems[:5])
            more = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
            raise RecordingError(
                f"{language} is to be played from recordings, but {len(problems)} take(s) "
                f"are missing or unusable: {shown}{more} (ivr prompts recordings-check "
                f"{language})"
            )

    def _take_problem(self, path: Path) -> str | None:
        try:
            levels = self.converter.levels(path.read_bytes(), what=str(path))
        except (AudioError, OSError) as exc:
            return f"unreadable: {exc}"
        if levels.rms_db < SILENT_RMS_DB or levels.peak_db < SILENT_PEAK_DB:
            return (f"silent (peak {levels.peak_db:.1f} dBFS, RMS {levels.rms_db:.1f} dBFS)")
        if levels.peak_db >= CLIPPED_PEAK_DB and levels.flat_factor >= CLIPPED_FLAT_FACTOR:
            return (f"clipped (peak {levels.peak_db:.2f} dBFS, flat factor "
                    f"{levels.flat_factor:.1f})")
        return None
