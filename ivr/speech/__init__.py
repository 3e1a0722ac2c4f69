"""Speech of dynamic content: dates, weekdays, times, digit strings and booking references.

Decision: dynamic content is played as **pre-built prompt fragments**, not synthesised at run
time. A value becomes a list of fragment ids (``Speaker.date(...)`` → ``["date-day-5",
"date-month-1"]``) that the runner plays one after another, like any other prompt:
- it works with studio recordings, which the ministry will put in place of TTS: a speaker
  records each fragment once, and no voice is needed on the call path;
- no TTS runs during a call, so a slow or missing synthesiser can never delay a caller;
- every fragment goes through the same catalog checks as the menus (every id in every
  language, no digits in any text) and the whole build stays offline and reproducible.
The cost is prosody at the joins (each fragment is read in isolation); digit groups get a
closing fragment (``digit-4-final``) with a falling intonation so groups stay audible.

Grammar lives in Python: for each language a ``Speaker`` subclass chooses which ids to play
and in which order (``ivr/speech/<lang>.py``), the fragment texts carry the inflected forms.
Asterisk's Say* applications are not used: they lack Czech, Ukrainian and Russian case forms.
No run-time dependency on num2words either: it has no Czech ordinals and no Ukrainian cases.

Public API:
- ``speaker_for(language)`` → ``Speaker`` with ``weekday``, ``date``, ``date_with_year``,
  ``time``, ``slot``, ``digits``, ``reference`` (each returns ``list[str]`` of ids);
- ``fragment_ids()`` → every id the module can produce;
- ``speech_catalog()`` → the fragment texts, ``render(ids, language, catalog)`` → the text
  a caller hears;
- ``python -m ivr.speech.export`` writes ``prompts/catalog/speech.toml``.

Exceptions (all ``ValueError``):

    SpeechError
    ├── UnsupportedLanguage
    ├── OutOfDomain
    └── MissingFragment
"""

from __future__ import annotations

from ivr.speech.catalog import render, speech_catalog
from ivr.speech.errors import MissingFragment, OutOfDomain, SpeechError, UnsupportedLanguage
from ivr.speech.ids import fragment_ids
from ivr.speech.languages import LANGUAGES, speaker_for
from ivr.speech.speaker import Speaker, reference_groups

__all__ = [
    "LANGUAGES",
    "MissingFragment",
    "OutOfDomain",
    "Speaker",
    "SpeechError",
    "UnsupportedLanguage",
    "fragment_ids",
    "reference_groups",
    "render",
    "speaker_for",
    "speech_catalog",
]
