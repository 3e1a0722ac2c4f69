"""What espeak-ng makes of a catalog text: the two failures a listener cannot get past.

- **A switch to another language.** espeak-ng switches to its English voice on a word it
  takes for English ("Praha" in a Vietnamese text becomes [pɹˈɑːhə]); `--ipa` shows the switch
  as `(en)…(vi)`. No text may switch on its own: a part meant for another voice is marked
  (`{cs:Praha}`, `prompts.spoken`) and goes in as SSML, which shows no switch.
- **A word read as letter names.** A word the voice cannot pronounce is spelled ("Hládkov" in
  Vietnamese: hát, e-lờ, a, dê, ca, o, vê), and a one-letter word the dictionary lacks is
  read as the letter's name (Ukrainian "з" as "зе", Russian "к" as "ка"). espeak-ng's trace
  (`-X`) shows each as `Found: 'з' [zE]`: a consonant letter looked up alone and read with a
  vowel. `SPOKEN_AS_LETTERS` lists the texts that are meant to be read so ("a.m.").

Both are read from the very input the backend synthesises (`EspeakBackend.phonemes`,
`.trace`). Texts without marks are checked in one espeak-ng run per language, and one by one
by halves only where that run finds something, so the catalog is checked in about a second.
Hand-written: no library reads espeak-ng's trace.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from prompts.backends.espeak import EspeakBackend
from prompts.catalog import Catalog
from prompts.spoken import marked_parts

# (id, language) read as letter names on purpose: English says "a.m." and "p.m." letter by letter
SPOKEN_AS_LETTERS: Final = frozenset({("time-am", "en"), ("time-pm", "en")})

_FOUND = re.compile(r"^Found: '(?P<word>[^']+)' \[(?P<phonemes>[^\]]*)\]", re.MULTILINE)
_SWITCH = re.compile(r"\(([a-z]{2,3}(?:-[a-z]+)?)\)")
# vowels of espeak-ng's phoneme mnemonics (Kirshenbaum-like: a e i o u y and @ 0 3 V A E I O U)
_VOWEL_PHONEME = re.compile(r"[aeiouyAEIOUVY@0389&]")
_VOWEL_LETTERS: Final = frozenset("aeiouyаеєиіїоуюяёыэ")


@dataclass(frozen=True)
class Problem:
    prompt_id: str
    language: str
    kind: str  # "switch" or "letters"
    detail: str

    def __str__(self) -> str:
        return f"{self.language}/{self.prompt_id}: {self.kind}: {self.detail}"


def letter_readings(trace: str) -> list[str]:
    """`Found: 'з' [zE]` entries of a trace: consonant letters read as their names."""
    return [
        f"{match['word']} [{match['phonemes']}]"
        for match in _FOUND.finditer(trace)
        if len(match["word"]) == 1 and match["word"].isalpha()
        and _base_letter(match["word"]) not in _VOWEL_LETTERS
        and _VOWEL_PHONEME.search(match["phonemes"])
    ]


def language_switches(ipa: str) -> list[str]:
    """The `(en)` markers of espeak-ng's IPA output."""
    return _SWITCH.findall(ipa)


def _base_letter(letter: str) -> str:
    return unicodedata.normalize("NFD", letter)[0].lower()


class PronunciationCheck:
    """Checks catalog texts as the espeak-ng backend says them."""

    def __init__(self, backend: EspeakBackend) -> None:
        self._backend = backend

    def problems(
        self, catalog: Catalog, *, languages: Iterable[str] | None = None,
        ids: Iterable[str] | None = None,
    ) -> list[Problem]:
        chosen_ids = list(ids) if ids is not None else list(catalog.ids)
        found: list[Problem] = []
        for language in languages if languages is not None else catalog.languages:
            texts = {prompt_id: catalog.spoken_text(prompt_id, language)
                     for prompt_id in chosen_ids if (prompt_id, language) not in
                     SPOKEN_AS_LETTERS}
            plain = [i for i, text in texts.items() if not marked_parts(text)]
            found += self._narrow(plain, texts, language)
            for prompt_id in (i for i in texts if i not in plain):
                found += self._text_problems(prompt_id, texts[prompt_id], language)
        return found

    def _narrow(self, ids: list[str], texts: dict[str, str], language: str) -> list[Problem]:
        """Check the texts in one run; where it finds something, halve until the ids are
        known (a handful of runs for a few problems among hundreds of texts)."""
        if len(ids) == 1:
            return self._text_problems(ids[0], texts[ids[0]], language)
        if not ids or not self._text_problems("", "\n".join(texts[i] for i in ids), language):
            return []
        middle = len(ids) // 2
        return (self._narrow(ids[:middle], texts, language)
                + self._narrow(ids[middle:], texts, language))

    def _text_problems(self, prompt_id: str, text: str, language: str) -> list[Problem]:
        if not text.strip():
            return []
        found = [Problem(prompt_id, language, "switch", f"({code}) in a {language} text")
                 for code in language_switches(self._backend.phonemes(text, language))
                 if code != language]
        found += [Problem(prompt_id, language, "letters", reading)
                  for reading in letter_readings(self._backend.trace(text, language))]
        return found
