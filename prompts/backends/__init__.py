"""Text-to-speech backends behind one interface: `synthesise(text, language) -> WAV bytes`.

A backend names itself (`name`) and the voice it uses per language (`voice`), both part of the
cache key, and says whether it may run in several processes at once (`parallel`): espeak-ng can,
gTTS must not (its throttle lives in one process). Human recordings are not a backend: the
builder looks them up first (`prompts.recorded`) and they always win.

Exceptions:

    BackendError (RuntimeError)
    ├── SynthesisError     the engine failed or returned no audio
    └── RateLimitedError   the service kept answering HTTP 429 after every retry
"""

from __future__ import annotations

from typing import Protocol

from prompts.errors import PromptsError
from prompts.settings import PromptSettings


class BackendError(PromptsError, RuntimeError):
    """A TTS backend could not produce audio."""


class SynthesisError(BackendError):
    """The engine failed or returned something that is not audio."""


class RateLimitedError(BackendError):
    """The remote service answered HTTP 429 on every attempt."""


class Backend(Protocol):
    """What the builder needs from a TTS engine."""

    @property
    def name(self) -> str: ...

    @property
    def parallel(self) -> bool: ...

    def voice(self, language: str) -> str: ...

    def synthesise(self, text: str, language: str) -> bytes:
        """WAV (RIFF) bytes of `text` spoken in `language`."""
        ...


def make_backend(settings: PromptSettings) -> Backend:
    """The backend `settings.backend` names, configured from `settings`."""
    if settings.backend == "gtts":
        from prompts.backends.gtts import GttsBackend

        return GttsBackend.from_settings(settings)
    from prompts.backends.espeak import EspeakBackend

    return EspeakBackend.from_settings(settings)
