"""gTTS (Google Translate's speech), opt-in and build-time only: `ivr prompts build --backend gtts`.

Never called during a call: the runner only plays files built here. Google documents no rate
limit and its terms forbid automated queries (gTTS issue #309), so the backend is off by
default, waits `min_interval_s` between requests (`Throttle`) and, on HTTP 429, backs off
exponentially before trying again, up to `max_retries` times. gTTS writes MP3; sox (with
`libsox-fmt-mp3`) turns it into WAV. The network call is the injectable `fetch_mp3(text, lang)`
so the retry logic is testable without a network; `fetch_with_gtts` is the real one.
It is not `parallel`: one process, one throttle.
A text with parts marked for another voice (`{cs:Hládkov}`, `prompts.spoken`) is fetched part
by part, each in its language, and the parts are joined with sox: gTTS takes no markup.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gtts import gTTS, gTTSError

from prompts.audio import AudioError, SoxConverter
from prompts.backends import RateLimitedError, SynthesisError
from prompts.languages import LANGUAGES
from prompts.settings import PromptSettings
from prompts.spoken import segments

FetchMp3 = Callable[[str, str], bytes]
TOO_MANY_REQUESTS = 429


def fetch_with_gtts(text: str, lang: str, *, timeout_s: float = 20.0) -> bytes:
    """MP3 bytes of `text` from Google through the gTTS library."""
    buffer = io.BytesIO()
    gTTS(text=text, lang=lang, timeout=timeout_s).write_to_fp(buffer)
    return buffer.getvalue()


def _is_rate_limited(error: gTTSError) -> bool:
    response = getattr(error, "rsp", None)
    return getattr(response, "status_code", None) == TOO_MANY_REQUESTS


@dataclass
class Throttle:
    """At least `min_interval_s` between the starts of two requests."""

    min_interval_s: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = field(default=None, init=False)

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.min_interval_s - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()


def _default_languages() -> dict[str, str]:
    return {language.code: language.gtts_lang for language in LANGUAGES}


class GttsBackend:
    """Synthesis through gTTS with throttling and backoff on HTTP 429."""

    def __init__(
        self,
        *,
        fetch_mp3: FetchMp3,
        throttle: Throttle,
        converter: SoxConverter,
        max_retries: int = 5,
        backoff_s: float = 2.0,
        sleep: Callable[[float], None] = time.sleep,
        voices: Mapping[str, str] | None = None,
    ) -> None:
        self._fetch_mp3 = fetch_mp3
        self._throttle = throttle
        self._converter = converter
        self._max_retries = max_retries
        self._backoff_s = backoff_s
        self._sleep = sleep
        self._voices = dict(voices) if voices is not None else _default_languages()

    @classmethod
    def from_settings(cls, settings: PromptSettings) -> GttsBackend:
        timeout_s = settings.gtts_timeout_s
        return cls(
            fetch_mp3=lambda text, lang: fetch_with_gtts(text, lang, timeout_s=timeout_s),
            throttle=Throttle(min_interval_s=settings.gtts_min_interval_s),
            converter=SoxConverter(binary=settings.sox_binary),
            max_retries=settings.gtts_max_retries,
            backoff_s=settings.gtts_backoff_s,
        )

    @property
    def name(self) -> str:
        return "gtts"

    @property
    def parallel(self) -> bool:
        return False

    def voice(self, language: str) -> str:
        try:
            return self._voices[language]
        except KeyError:
            raise SynthesisError(f"gTTS: no language mapped for {language!r}") from None

    def synthesise(self, text: str, language: str) -> bytes:
        what = f"gtts {language} {text!r}"
        try:
            wavs = [
                self._converter.mp3_to_wav(
                    self._fetch_with_retries(part.text, self.voice(part.language)), what=what
                )
                for part in segments(text, language)
            ]
            return wavs[0] if len(wavs) == 1 else self._converter.concatenate(wavs, what=what)
        except AudioError as exc:
            raise SynthesisError(str(exc)) from exc

    def _fetch_with_retries(self, text: str, lang: str) -> bytes:
        attempt = 0
        while True:
            self._throttle.wait()
            try:
                mp3 = self._fetch_mp3(text, lang)
            except gTTSError as exc:
                if not _is_rate_limited(exc):
                    raise SynthesisError(f"gTTS failed for {lang} {text!r}: {exc}") from exc
                if attempt == self._max_retries:
                    raise RateLimitedError(
                        f"gTTS: HTTP 429 on all {attempt + 1} attempts for {lang} {text!r}"
                    ) from exc
                self._sleep(self._backoff_s * 2**attempt)
                attempt += 1
                continue
            if not mp3:
                raise SynthesisError(f"gTTS returned no audio for {lang} {text!r}")
            return mp3
