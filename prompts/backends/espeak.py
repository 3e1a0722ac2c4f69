"""espeak-ng, the offline default backend (Debian package `espeak-ng`, about 15 ms a sentence).

The text goes in on stdin so that no text can be taken for an option; `--stdout` gives a WAV.
The engine is deterministic, so the same text and voice give the same bytes. espeak-ng quietly
speaks English when asked for a voice it does not have, so mapped voices are checked against
`espeak-ng --voices` (the Language column) before use. The speaking rate is per language
(`prompts.languages`, or one rate for all from `PROMPTS_ESPEAK_SPEED_WPM`); it is part of the
voice this backend names (`"en-gb -s 170"`), so a changed rate is a changed cache key.

A text with parts marked for another voice (`{cs:Hládkov}`, `prompts.spoken`) goes in as SSML
(`-m`), each marked part in a `<voice name="cs">` element: one utterance, so the intonation
runs on across the change of voice, which splicing two takes would break. A text without
marks goes in as plain text, as before.
`phonemes` and `trace` run the very same input with `--ipa` or `-X` instead of `--stdout`,
so a check of what the voice says (`prompts.pronunciation`) checks what is synthesised.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from prompts.audio import resolve_binary
from prompts.backends import SynthesisError
from prompts.languages import LANGUAGES
from prompts.settings import PromptSettings
from prompts.spoken import segments


@functools.cache
def installed_voices(binary: str) -> frozenset[str]:
    """The voice codes (Language column of `espeak-ng --voices`) this engine has."""
    try:
        completed = subprocess.run(
            [binary, "--voices"], capture_output=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SynthesisError(f"espeak-ng could not run: {exc}") from exc
    lines = completed.stdout.decode("utf-8", "replace").splitlines()[1:]
    return frozenset(line.split()[1] for line in lines if len(line.split()) > 1)


def _default_voices() -> dict[str, str]:
    return {language.code: language.espeak_voice for language in LANGUAGES}


def _default_speeds() -> dict[str, int]:
    return {language.code: language.espeak_speed_wpm for language in LANGUAGES}


@dataclass(frozen=True)
class EspeakBackend:
    """espeak-ng run once per text; picklable, so it runs in worker processes."""

    binary: str = "espeak-ng"
    speed_wpm: int | None = None  # one rate for every language, instead of `speeds`
    voices: Mapping[str, str] = field(default_factory=_default_voices)
    speeds: Mapping[str, int] = field(default_factory=_default_speeds)

    @classmethod
    def from_settings(cls, settings: PromptSettings) -> EspeakBackend:
        return cls(binary=settings.espeak_binary, speed_wpm=settings.espeak_speed_wpm)

    @property
    def name(self) -> str:
        return "espeak"

    @property
    def parallel(self) -> bool:
        return True

    def voice(self, language: str) -> str:
        """The espeak-ng voice and rate of `language`, as its options: `"en-gb -s 170"`."""
        return f"{self.espeak_voice(language)} -s {self.speed(language)}"

    def speed(self, language: str) -> int:
        if self.speed_wpm is not None:
            return self.speed_wpm
        try:
            return self.speeds[language]
        except KeyError:
            raise SynthesisError(f"espeak-ng: no rate set for language {language!r}") from None

    def espeak_voice(self, language: str) -> str:
        try:
            voice = self.voices[language]
        except KeyError:
            raise SynthesisError(f"espeak-ng: no voice mapped for language {language!r}") from None
        if voice not in installed_voices(self.binary):
            raise SynthesisError(
                f"espeak-ng has no voice {voice!r} for language {language!r} "
                f"(see `{self.binary} --voices`)"
            )
        return voice

    def synthesise(self, text: str, language: str) -> bytes:
        completed = self._run(text, language, ["--stdout"])
        if not completed.startswith(b"RIFF"):
            raise SynthesisError(f"espeak-ng returned no WAV for {language} {text!r}")
        return completed

    def phonemes(self, text: str, language: str) -> str:
        """What the voice says, in IPA (`-q --ipa`), for the same input as `synthesise`."""
        return self._run(text, language, ["-q", "--ipa"]).decode("utf-8", "replace")

    def trace(self, text: str, language: str) -> str:
        """espeak-ng's translation trace (`-q -X`): which dictionary entry read each word."""
        return self._run(text, language, ["-q", "-X"]).decode("utf-8", "replace")

    def espeak_input(self, text: str, language: str) -> tuple[list[str], str]:
        """The extra options and the stdin text for `text`: plain, or SSML when it has marks."""
        parts = segments(text, language)
        if all(part.language == language for part in parts):
            return [], text
        body = "".join(
            escape(part.text) if part.language == language
            else f"<voice name={quoteattr(self.espeak_voice(part.language))}>"
                 f"{escape(part.text)}</voice>"
            for part in parts
        )
        return ["-m"], f"<speak>{body}</speak>"

    def _run(self, text: str, language: str, output: Sequence[str]) -> bytes:
        options, stdin = self.espeak_input(text, language)
        command = [resolve_binary(self.binary), "-v", self.espeak_voice(language),
                   "-s", str(self.speed(language)), *options, "--stdin", *output]
        try:
            completed = subprocess.run(
                command, input=stdin.encode("utf-8"), capture_output=True, check=False,
                close_fds=False,
            )
        except OSError as exc:
            raise SynthesisError(f"espeak-ng could not run: {exc}") from exc
        if completed.returncode != 0 or not completed.stdout:
            raise SynthesisError(
                f"espeak-ng failed for {language} {text!r} (exit {completed.returncode}): "
                f"{completed.stderr.decode('utf-8', 'replace').strip()}"
            )
        return completed.stdout
