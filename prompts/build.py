"""The prompt build: catalog + recordings + a TTS backend -> `<out>/<lang>/ivr/<id>.<format>`.

Each (language, id) is planned first, cheaply: its source (a recording wins, else the backend
with its voice) gives a cache key. Then

- unchanged: the manifest already has this key and the files are there -> nothing to do;
- cached: the cache has the key -> copy its three files;
- render: synthesise, convert with sox, store in the cache, then copy.

Rendering runs in a process pool (one worker per core) when the backend allows it, otherwise
in this process (gTTS, whose throttle must see every request). Files of the built languages
that the catalog no longer has are removed, and `manifest.json` is rewritten. Outputs are
replaced atomically, so Asterisk never opens half a file.

A language whose TTS the studio recordings replace (`recorded_languages`) is planned only
when its recording set passes `prompts.recorded.RecordingCheck`.

Exceptions: everything a render raises (`prompts.backends.BackendError`,
`prompts.audio.AudioError`) propagates wrapped in

    BuildError (RuntimeError)   names the language and prompt id that failed

and `prompts.recorded.RecordingError` when a recorded language's set is incomplete or broken.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from prompts.audio import (
    FORMATS,
    PAD_AFTER_S,
    PAD_BEFORE_S,
    TRIM,
    AudioError,
    SoxConverter,
)
from prompts.backends import Backend, BackendError
from prompts.cache import AudioCache, cache_key, write_atomically
from prompts.catalog import Catalog
from prompts.errors import PromptsError
from prompts.manifest import MANIFEST_NAME, Manifest, ManifestEntry, ManifestError
from prompts.recorded import RecordedPrompts, RecordingCheck, file_sha256
from prompts.spoken import marked_parts

PIPELINE = (
    f"v2 sln16/ulaw/alaw sox -D -G {' '.join(TRIM)} rate gain -n -3 "
    f"pad {PAD_BEFORE_S} {PAD_AFTER_S}"
)
RECORDED = "recorded"


class BuildError(PromptsError, RuntimeError):
    """A prompt could not be built; the message names it."""


@dataclass(frozen=True)
class PlannedPrompt:
    language: str
    prompt_id: str
    text: str
    backend: str
    voice: str
    key: str
    recording: Path | None

    @property
    def what(self) -> str:
        return f"{self.language}/ivr/{self.prompt_id}"


@dataclass(frozen=True)
class BuildReport:
    languages: tuple[str, ...]
    prompts: int
    rendered: int
    from_cache: int
    unchanged: int
    removed: int
    manifest: Manifest


ProgressCallback = Callable[[int], None]


def render_into_cache(
    planned: PlannedPrompt, *, backend: Backend, converter: SoxConverter, cache: AudioCache
) -> str:
    """Make one prompt's audio and store it under its key. Runs in worker processes."""
    try:
        if planned.recording is not None:
            wav = planned.recording.read_bytes()
        else:
            wav = backend.synthesise(planned.text, planned.language)
        cache.put(planned.key, converter.render(wav, what=planned.what))
    except (BackendError, AudioError, OSError) as exc:
        raise BuildError(f"{planned.what}: {exc}") from exc
    return planned.key


class PromptBuilder:
    """Builds the sounds tree of a catalog; everything it uses goes in through here."""

    def __init__(
        self,
        *,
        backend: Backend,
        recorded: RecordedPrompts,
        cache: AudioCache,
        converter: SoxConverter,
        jobs: int,
        recorded_languages: Collection[str] = (),
    ) -> None:
        self._backend = backend
        self._recorded = recorded
        self._cache = cache
        self._converter = converter
        self._jobs = jobs
        self._recorded_languages = frozenset(recorded_languages)

    def plan(self, catalog: Catalog, *, languages: Sequence[str]) -> list[PlannedPrompt]:
        unknown = [code for code in languages if code not in catalog.languages]
        if unknown:
            raise BuildError(f"languages not in the catalog: {', '.join(unknown)}")
        check = RecordingCheck(self._recorded, self._converter)
        for language in languages:
            if language in self._recorded_languages:
                check.require_complete(catalog, language)  # no TTS mixed into a studio voice
        planned: list[PlannedPrompt] = []
        for language in languages:
            for prompt_id in catalog.ids:
                text = catalog.spoken_text(prompt_id, language)
                recording = self._recorded.find(language, prompt_id)
                if recording is not None:
                    backend, voice = RECORDED, recording.name
                    key = cache_key(PIPELINE, RECORDED, file_sha256(recording))
                else:
                    backend, voice = self._backend.name, self._voices(text, language)
                    key = cache_key(PIPELINE, backend, voice, language, text)
                planned.append(PlannedPrompt(language=language, prompt_id=prompt_id, text=text,
                                             backend=backend, voice=voice, key=key,
                                             recording=recording))
        return planned

    def _voices(self, text: str, language: str) -> str:
        """The voice of `language`, and of each language marked in `text` (`{cs:…}`):
        `"vi -s 165; cs: cs -s 175"`, so a change of either voice is a new cache key."""
        marked = sorted({part.language for part in marked_parts(text)} - {language})
        return "; ".join([self._backend.voice(language),
                          *(f"{code}: {self._backend.voice(code)}" for code in marked)])

    def build(
        self,
        catalog: Catalog,
        *,
        out_dir: Path,
        languages: Sequence[str] | None = None,
        on_progress: ProgressCallback | None = None,
    ) -> BuildReport:
        """Bring `out_dir` in line with the catalog; `on_progress(n)` after every n prompts."""
        chosen = tuple(languages) if languages is not None else catalog.languages
        planned = self.plan(catalog, languages=chosen)
        previous = _previous_manifest(out_dir)
        existing = _existing_files(out_dir, chosen)
        advance = on_progress or (lambda _count: None)

        unchanged = 0
        groups: dict[str, list[PlannedPrompt]] = {}
        for item in planned:
            if _is_current(item, previous, existing):
                unchanged += 1
            else:
                groups.setdefault(item.key, []).append(item)
        advance(unchanged)
        manifest_path = out_dir / MANIFEST_NAME
        if groups:
            # Outputs are about to change: a build that fails half-way must not leave a
            # manifest vouching for files it has replaced. Without one, the next build
            # reinstalls everything from the cache (file copies only).
            manifest_path.unlink(missing_ok=True)
        to_render = [items[0] for key, items in groups.items() if not self._cache.has(key)]
        for key, items in groups.items():
            if self._cache.has(key):
                self._install_group(items, out_dir, advance)
        self._render(to_render, done=lambda key: self._install_group(groups[key], out_dir,
                                                                      advance))
        stale_count = sum(len(items) for items in groups.values())

        manifest = Manifest(pipeline=PIPELINE, formats=FORMATS)
        if previous is not None and previous.pipeline == PIPELINE:
            manifest.prompts = {
                language: entries for language, entries in previous.prompts.items()
                if language not in chosen
            }
        for item in planned:
            manifest.prompts.setdefault(item.language, {})[item.prompt_id] = ManifestEntry(
                backend=item.backend, voice=item.voice, key=item.key,
                duration_s=round(self._cache_or_previous_duration(item, previous), 4),
            )
        removed = _remove_stale_files(out_dir, planned, existing)
        text = manifest.dumps()
        if not manifest_path.is_file() or manifest_path.read_text(encoding="utf-8") != text:
            write_atomically(manifest_path, text.encode("utf-8"))
        return BuildReport(
            languages=chosen, prompts=len(planned), rendered=len(to_render),
            from_cache=stale_count - len(to_render), unchanged=unchanged, removed=removed,
            manifest=manifest,
        )

    def _render(self, items: list[PlannedPrompt], *, done: Callable[[str], None]) -> None:
        """Render into the cache; `done(key)` in this process as each one finishes."""
        render = partial(render_into_cache, backend=self._backend, converter=self._converter,
                         cache=self._cache)
        if not self._backend.parallel or self._jobs == 1 or len(items) < 2:
            for item in items:
                done(render(item))
            return
        with ProcessPoolExecutor(max_workers=min(self._jobs, len(items))) as pool:
            futures: list[Future[str]] = [pool.submit(render, item) for item in items]
            try:
                for future in as_completed(futures):
                    done(future.result())
            except BuildError:
                pool.shutdown(cancel_futures=True)  # stop at the first failure
                raise

    def _install_group(self, items: list[PlannedPrompt], out_dir: Path,
                       advance: ProgressCallback) -> None:
        for item in items:
            self._install(item, out_dir)
        advance(len(items))

    def _install(self, item: PlannedPrompt, out_dir: Path) -> None:
        for audio_format in FORMATS:
            target = _output_path(out_dir, item.language, item.prompt_id, audio_format)
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.tmp")
            shutil.copyfile(self._cache.path(item.key, audio_format), temporary)
            temporary.replace(target)

    def _cache_or_previous_duration(self, item: PlannedPrompt, previous: Manifest | None) -> float:
        if previous is not None:
            entry = previous.prompts.get(item.language, {}).get(item.prompt_id)
            if entry is not None and entry.key == item.key:
                return entry.duration_s
        return self._cache.duration_s(item.key)


def _output_path(out_dir: Path, language: str, prompt_id: str, audio_format: str) -> Path:
    return out_dir / language / "ivr" / f"{prompt_id}.{audio_format}"


def _previous_manifest(out_dir: Path) -> Manifest | None:
    path = out_dir / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        return Manifest.load(path)
    except ManifestError:
        return None  # an unreadable manifest only means everything is rebuilt


def _file_names(prompt_id: str) -> list[str]:
    return [f"{prompt_id}.{audio_format}" for audio_format in FORMATS]


def _existing_files(out_dir: Path, languages: tuple[str, ...]) -> dict[str, set[str]]:
    """File names present in `<out>/<lang>/ivr/`, read once (a stat per file is slow at 3,000)."""
    existing: dict[str, set[str]] = {}
    for language in languages:
        directory = out_dir / language / "ivr"
        existing[language] = set(os.listdir(directory)) if directory.is_dir() else set()
    return existing


def _is_current(
    item: PlannedPrompt, previous: Manifest | None, existing: dict[str, set[str]]
) -> bool:
    if previous is None or previous.pipeline != PIPELINE:
        return False
    entry = previous.prompts.get(item.language, {}).get(item.prompt_id)
    if entry is None or entry.key != item.key:
        return False
    return all(name in existing[item.language] for name in _file_names(item.prompt_id))


def _remove_stale_files(
    out_dir: Path, planned: list[PlannedPrompt], existing: dict[str, set[str]]
) -> int:
    """Remove files of the built languages that no planned prompt has; returns how many."""
    expected: dict[str, set[str]] = {language: set() for language in existing}
    for item in planned:
        expected[item.language].update(_file_names(item.prompt_id))
    removed = 0
    for language, names in existing.items():
        for name in sorted(names - expected[language]):
            path = out_dir / language / "ivr" / name
            if path.is_file():
                path.unlink()
                removed += 1
    return removed
