"""The population of callers: who calls, for what, and how they behave (fixed seed).

Shares (issue 12), and how the overlapping ones are combined:

- **language**: uk 30 %, vi 25 %, ru 15 %, en 15 %, cs 15 %.
- **pace** — the first six behaviours of the issue add up to 100 %, so they split the calls
  between them: expert who keys ahead 20 %, first-timer who waits for every prompt 40 %, slow
  caller 15 %, fast typist 10 %, one wrong key somewhere 10 %, silent once at some menu 5 %.
  The wrong-key and silent-once callers listen at the first-timer's pace; their incident is at
  a choice drawn from 1–6 (language, region, office, visit type, read-back, offer).
- **what the call is for / how it ends** — drawn independently of the pace, exclusive among
  themselves: wants an operator at once (presses 0 at the first question after the language)
  5 %, repeat caller who already has a booking 5 % (half cancel it, half hear it and keep it),
  hangs up mid-call 3 % (at the start of its 3rd–40th prompt, 0.3–3 s later), changes its mind
  with ``*`` 5 % (first the neighbouring office or visit type, then ``*``, then the right one);
  82 % none of these. A wrong-key or silent-once caller with one of these keeps both.
- **passport with letters**: 25 % of the uk and vi callers (Ukrainian two letters and six
  digits, ``FE123456``; Vietnamese one letter and seven digits, ``C1234567``), independent of
  the rest; what they key depends on the prompt they hear (``bench.callers.caller``).
- the rest of the intent: office uniform over the seed's offices, visit type uniform over the
  office's, born 1950–2006, passport of 8–9 digits otherwise; the first offer is taken by 70 %,
  20 % ask for the next slot once and 10 % for a later day once.

Every caller gets its own number (+420 7…) and its own random stream (``Intent.seed``), so one
caller's decisions do not depend on which others are in the run.

Errors: none.
"""

from __future__ import annotations

import random
import tomllib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Final

from bench.callers.caller import Goal, Intent
from bench.callers.hearing import Topic

ROOT: Final = Path(__file__).resolve().parents[2]
SEED_FILE: Final = ROOT / "api" / "seed" / "seed.toml"

LANGUAGE_SHARES: Final = (("uk", 0.30), ("vi", 0.25), ("ru", 0.15), ("en", 0.15), ("cs", 0.15))
PACE_SHARES: Final = (("expert", 0.20), ("first-timer", 0.40), ("slow", 0.15),
                      ("fast-typist", 0.10), ("wrong-key", 0.10), ("silent-once", 0.05))
ENDING_SHARES: Final = (("operator", 0.05), ("repeat", 0.05), ("hangs-up", 0.03),
                        ("changes-mind", 0.05))
LETTER_PASSPORT_SHARE: Final = 0.25
OFFER_SHARES: Final = (("accept", 0.70), ("next-slot", 0.20), ("later-day", 0.10))
CHOICES_IN_A_BOOKING: Final = 6


@dataclass(frozen=True)
class SeedOffice:
    code: str
    region: str
    visit_types: tuple[str, ...]


def seed_offices(path: Path = SEED_FILE) -> list[SeedOffice]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return [SeedOffice(row["code"], row["region"], tuple(row["visit_types"]))
            for row in document["offices"]]


def _pick(rng: random.Random, shares: Sequence[tuple[str, float]]) -> str:
    names = [name for name, _ in shares]
    weights = [share for _, share in shares]
    rest = 1.0 - sum(weights)
    if rest > 1e-9:
        names.append("")
        weights.append(rest)
    return rng.choices(names, weights)[0]


def _passport(rng: random.Random, language: str) -> str:
    if language in ("uk", "vi") and rng.random() < LETTER_PASSPORT_SHARE:
        letters = "".join(rng.choice("ABCEFHKMOPTX") for _ in range(2 if language == "uk" else 1))
        return letters + "".join(rng.choice("0123456789") for _ in range(8 - len(letters)))
    length = rng.choice((8, 9))
    return str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 1))


def population(size: int, *, seed: int, offices: Sequence[SeedOffice] | None = None
               ) -> list[Intent]:
    """``size`` callers, the same for the same seed."""
    rng = random.Random(seed)
    offices = list(offices or seed_offices())
    callers = []
    for index in range(size):
        language = _pick(rng, LANGUAGE_SHARES)
        pace = _pick(rng, PACE_SHARES)
        ending = _pick(rng, ENDING_SHARES)
        office = rng.choice(offices)
        visit_type = rng.choice(office.visit_types)
        born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 56))
        goal = Goal.BOOK
        if ending == "operator":
            goal = Goal.OPERATOR
        elif ending == "repeat":
            goal = Goal.CANCEL if rng.random() < 0.5 else Goal.KEEP
        incident, incident_at = (pace, rng.randint(1, CHOICES_IN_A_BOOKING)) \
            if pace in ("wrong-key", "silent-once") else (None, 0)
        hangs_up_at, delay = (rng.randint(3, 40), rng.uniform(0.3, 3.0)) \
            if ending == "hangs-up" else (0, 0.0)
        changes_mind_at = rng.choice((Topic.OFFICE, Topic.VISIT)) \
            if ending == "changes-mind" else None
        callers.append(Intent(
            index=index,
            number=f"+4207{index + 10_000_000 * (seed % 9 + 1):08d}",
            language=language,
            goal=goal,
            region=office.region,
            office=office.code,
            visit_type=visit_type,
            passport=_passport(rng, language),
            birth_date=born,
            offer_choice=_pick(rng, OFFER_SHARES),
            pace="first-timer" if pace in ("wrong-key", "silent-once") else pace,
            kind=pace,
            incident=incident,
            incident_at=incident_at,
            hangs_up_at=hangs_up_at,
            hangs_up_delay_s=round(delay, 2),
            changes_mind_at=changes_mind_at,
            letter_habit=rng.random(),
            seed=rng.getrandbits(32),
        ))
    return callers


def behaviours(intent: Intent) -> list[str]:
    """The behaviours a caller counts under (a caller may have several)."""
    found = [intent.kind]
    if intent.hangs_up_at:
        found.append("hangs-up")
    if intent.changes_mind_at is not None:
        found.append("changes-mind")
    if intent.goal is Goal.OPERATOR:
        found.append("operator-at-once")
    if intent.goal in (Goal.KEEP, Goal.CANCEL):
        found.append("repeat-caller")
    if intent.has_letters:
        found.append("passport-letters")
    return found


def shares(callers: Sequence[Intent]) -> dict[str, dict[str, float]]:
    """The realised shares, for the output."""
    total = len(callers) or 1
    languages = Counter(intent.language for intent in callers)
    kinds = Counter(kind for intent in callers for kind in behaviours(intent))
    goals = Counter(intent.goal.value for intent in callers)
    uk_vi = [intent for intent in callers if intent.language in ("uk", "vi")]
    return {
        "languages": {k: round(v / total, 3) for k, v in sorted(languages.items())},
        "behaviours": {k: round(v / total, 3) for k, v in sorted(kinds.items())},
        "goals": {k: round(v / total, 3) for k, v in sorted(goals.items())},
        "letters_among_uk_vi": round(
            sum(intent.has_letters for intent in uk_vi) / (len(uk_vi) or 1), 3),
    }
