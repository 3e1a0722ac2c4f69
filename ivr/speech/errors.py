"""Errors of the speech layer.

The speech layer is pure (no I/O), so its only failures are values it was not built to speak
and fragments missing from a catalog. Every error is a ``ValueError`` so that a caller that
validates input can treat them like any other bad value; the flow maps them to
``service-error`` (a slot the speech layer cannot speak is a data error, not a caller error).

    SpeechError(ValueError)
    ├── UnsupportedLanguage   language code not in cs, en, uk, ru, vi
    ├── OutOfDomain           a date, year, time or digit string we have no words for
    └── MissingFragment       render(): a fragment id or language absent from the catalog
"""

from __future__ import annotations


class SpeechError(ValueError):
    """Base of every error raised by ``ivr.speech``."""


class UnsupportedLanguage(SpeechError):
    """The language code is not one of the five the product speaks."""


class OutOfDomain(SpeechError):
    """The value lies outside what the fragments can express (e.g. the year 1899)."""


class MissingFragment(SpeechError):
    """A fragment id, or its text in the requested language, is not in the catalog."""
