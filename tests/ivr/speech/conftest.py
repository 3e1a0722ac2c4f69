"""Shared helpers: speak a value in a language and render it as the caller hears it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ivr.speech import Speaker, render, speaker_for, speech_catalog

Hear = Callable[[str, Callable[[Speaker], list[str]]], str]


@pytest.fixture(scope="session")
def hear() -> Hear:
    """``hear("cs", lambda s: s.date(d))`` → "pátého ledna"."""
    catalog = speech_catalog()

    def _hear(language: str, speak: Callable[[Speaker], list[str]]) -> str:
        return render(speak(speaker_for(language)), language, catalog)

    return _hear
