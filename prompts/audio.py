"""Conversion of a synthesised or recorded WAV into the files Asterisk plays, with sox.

Three formats, so that Asterisk never transcodes for the usual codecs: `sln16` (16 kHz signed
16-bit little-endian raw), `ulaw` and `alaw` (8 kHz G.711). sox runs without dithering (`-D`)
so that the same input always gives the same bytes. It trims the silence at both ends
(espeak-ng ends every text with about 0.3 s of silence: with the former 0.1 + 0.2 s of padding
a reference of eight digits carried about five seconds of silence, now 1.2 s), resamples to
16 kHz (`-G` guards the resampler against clipping), normalises to -3 dBFS for headroom
(`gain -n -3`; after the explicit `rate`, since sox refuses `-G` with `gain -n` after a
`reverse`) and pads 0.05 s before and 0.1 s after, so that prompts and fragments played one
after another keep a short, even gap.
The trim is sox's `silence` effect, once forwards and once on the reversed audio, with a
threshold of 0.1 % of full scale held for 10 ms: espeak-ng's pauses are digital silence, and a
studio take's room noise above -60 dBFS is left as it is. An odd number of samples gets one
silent sample more, so the 8 kHz files last exactly as long.
The 16 kHz file is made once from the source; the two 8 kHz files are made from it, which
keeps every sox run small (about 7 ms, then about 3 ms each).

A rendered prompt is also checked: a voice missing from the engine or a broken recording gives
silence, which nobody would notice on a test call in another language.

Exceptions:

    AudioError (RuntimeError)
    ├── ConversionError   sox failed
    └── SilentAudioError  the result is too short or too quiet to be speech
"""

from __future__ import annotations

import functools
import math
import operator
import shutil
import subprocess
import sys
import tempfile
from array import array
from dataclasses import dataclass
from pathlib import Path

from prompts.errors import PromptsError

FORMATS: tuple[str, ...] = ("sln16", "ulaw", "alaw")
SLN16_RATE = 16_000
PAD_BEFORE_S = 0.05
PAD_AFTER_S = 0.1
TRIM_THRESHOLD = "0.1%"
TRIM_HOLD_S = 0.01
TRIM = ["silence", "1", str(TRIM_HOLD_S), TRIM_THRESHOLD, "reverse",
        "silence", "1", str(TRIM_HOLD_S), TRIM_THRESHOLD, "reverse"]
MIN_SPEECH_S = 0.15
MIN_SPEECH_RMS = 300.0

_RAW_16K = ["-t", "raw", "-r", str(SLN16_RATE), "-c", "1", "-b", "16", "-e", "signed-integer",
            "-L"]


class AudioError(PromptsError, RuntimeError):
    """A prompt's audio could not be made or is not usable."""


class ConversionError(AudioError):
    """sox failed."""


class SilentAudioError(AudioError):
    """The audio is shorter or quieter than any spoken word."""


@dataclass(frozen=True)
class RenderedAudio:
    """The three files of one prompt, as bytes."""

    sln16: bytes
    ulaw: bytes
    alaw: bytes

    def by_format(self) -> dict[str, bytes]:
        return {"sln16": self.sln16, "ulaw": self.ulaw, "alaw": self.alaw}

    @property
    def duration_s(self) -> float:
        return sln16_duration_s(self.sln16)


def sln16_duration_s(sln16: bytes) -> float:
    """Seconds of audio in a 16 kHz 16-bit mono raw buffer."""
    return len(sln16) / (2 * SLN16_RATE)


def sln16_rms(sln16: bytes, *, stride: int = 1) -> float:
    """Root mean square of a 16-bit little-endian raw buffer, over every `stride`-th sample
    (a stride of 8 estimates speech loudness well enough at an eighth of the cost)."""
    samples = array("h")
    samples.frombytes(sln16[: len(sln16) - len(sln16) % 2])
    if sys.byteorder == "big":
        samples.byteswap()
    picked = samples[::stride]
    if not picked:
        return 0.0
    return math.sqrt(sum(map(operator.mul, picked, picked)) / len(picked))


def check_speech(sln16: bytes, *, what: str) -> None:
    """Refuse audio that is shorter than a word or silent, padding not counted."""
    speech_s = sln16_duration_s(sln16) - PAD_BEFORE_S - PAD_AFTER_S
    if speech_s < 0.001:  # the trim found nothing above its threshold
        raise SilentAudioError(f"{what}: silent (nothing above {TRIM_THRESHOLD} of full scale)")
    if speech_s < MIN_SPEECH_S:
        raise SilentAudioError(f"{what}: only {speech_s:.2f} s of audio")
    start = int(PAD_BEFORE_S * SLN16_RATE) * 2
    end = len(sln16) - int(PAD_AFTER_S * SLN16_RATE) * 2
    rms = sln16_rms(sln16[start:end], stride=8)
    if rms < MIN_SPEECH_RMS:
        raise SilentAudioError(f"{what}: silent (RMS {rms:.0f} < {MIN_SPEECH_RMS:.0f})")


@dataclass(frozen=True)
class Levels:
    """What sox's `stats` says of a take: peak and RMS level in dBFS, flat factor (how many
    samples in a row sit at the peak: above zero at full scale, the take is clipped)."""

    peak_db: float
    rms_db: float
    flat_factor: float


def _decibels(value: str) -> float:
    return -math.inf if value == "-inf" else float(value)


@functools.cache
def resolve_binary(name: str) -> str:
    """The absolute path of a program, so that `subprocess` can start it with posix_spawn
    (with `close_fds=False`), several milliseconds cheaper than fork from a large process."""
    return shutil.which(name) or name


@dataclass(frozen=True)
class SoxConverter:
    """Runs sox; picklable, so it runs in worker processes."""

    binary: str = "sox"

    def render(self, wav: bytes, *, what: str) -> RenderedAudio:
        """sln16, ulaw and alaw of a WAV of any rate, trimmed, normalised, padded and checked."""
        sln16 = self._run(
            ["-G", "-t", "wav", "-", *_RAW_16K, "-", *TRIM, "rate", str(SLN16_RATE),
             "gain", "-n", "-3",
             "pad", str(PAD_BEFORE_S), str(PAD_AFTER_S)],
            wav, what=what,
        )
        if len(sln16) % 4:  # an even number of samples, so the 8 kHz files last exactly as long
            sln16 += bytes(2)
        check_speech(sln16, what=what)
        return RenderedAudio(
            sln16=sln16,
            ulaw=self._run([*_RAW_16K, "-", "-t", "raw", "-r", "8000", "-e", "u-law", "-"],
                           sln16, what=what),
            alaw=self._run([*_RAW_16K, "-", "-t", "raw", "-r", "8000", "-e", "a-law", "-"],
                           sln16, what=what),
        )

    def mp3_to_wav(self, mp3: bytes, *, what: str) -> bytes:
        """Decode MP3 (gTTS output) to WAV; needs sox's mp3 format (`libsox-fmt-mp3`)."""
        return self._run(["-t", "mp3", "-", "-t", "wav", "-"], mp3, what=what)

    def concatenate(self, wavs: list[bytes], *, what: str) -> bytes:
        """One WAV of several played in a row (16 kHz mono, so any rates can be joined)."""
        with tempfile.TemporaryDirectory(prefix="prompt-parts-") as directory:
            inputs: list[str] = []
            for index, wav in enumerate(wavs):
                part = Path(directory) / f"{index}.wav"
                part.write_bytes(self._run(["-t", "wav", "-", "-r", str(SLN16_RATE), "-c", "1",
                                            "-t", "wav", "-"], wav, what=what))
                inputs.append(str(part))
            return self._run([*inputs, "-t", "wav", "-"], b"", what=what)

    def levels(self, wav: bytes, *, what: str) -> Levels:
        """Peak, RMS and flat factor of a WAV as it is (sox `stats`, all channels together)."""
        command = [resolve_binary(self.binary), "-D", "-V1", "-t", "wav", "-", "-n", "stats"]
        try:
            completed = subprocess.run(command, input=wav, capture_output=True, check=False,
                                       close_fds=False)
        except OSError as exc:
            raise ConversionError(f"{what}: sox could not run: {exc}") from exc
        report = completed.stderr.decode("utf-8", "replace")
        values = {line[:13].strip(): line[13:].split() for line in report.splitlines()}
        try:
            return Levels(peak_db=_decibels(values["Pk lev dB"][0]),
                          rms_db=_decibels(values["RMS lev dB"][0]),
                          flat_factor=float(values["Flat factor"][0]))
        except (KeyError, IndexError, ValueError) as exc:
            raise ConversionError(f"{what}: sox stats failed: {report.strip()}") from exc

    def _run(self, arguments: list[str], data: bytes, *, what: str) -> bytes:
        command = [resolve_binary(self.binary), "-D", "-V1", *arguments]
        try:
            completed = subprocess.run(
                command, input=data, capture_output=True, check=False,
                close_fds=False,
            )
        except OSError as exc:
            raise ConversionError(f"{what}: sox could not run: {exc}") from exc
        if completed.returncode != 0 or not completed.stdout:
            raise ConversionError(
                f"{what}: sox {' '.join(arguments)} failed (exit {completed.returncode}): "
                f"{completed.stderr.decode('utf-8', 'replace').strip()}"
            )
        return completed.stdout
