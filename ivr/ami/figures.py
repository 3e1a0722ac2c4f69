"""Today's figures of the booking line, counted from AMI events and console bookings.

Exceptions: none.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class DailyFigures:
    """Counters since local midnight; ``QueueState`` starts a new one when the day changes."""

    calls: Counter[str] = field(default_factory=Counter)
    booked_by_phone: Counter[str] = field(default_factory=Counter)
    booked_by_operator: Counter[str] = field(default_factory=Counter)
    fallouts: Counter[str] = field(default_factory=Counter)
    fallouts_by_language: dict[str, Counter[str]] = field(default_factory=dict)
    answered_by_operator: Counter[str] = field(default_factory=Counter)
    abandoned: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        total_calls = sum(self.calls.values())
        by_phone = sum(self.booked_by_phone.values())
        languages = sorted(
            set(self.calls) | set(self.booked_by_operator) | set(self.fallouts_by_language)
        )
        return {
            "calls": total_calls,
            "bookings_by_channel": {
                "phone": by_phone,
                "operator": sum(self.booked_by_operator.values()),
            },
            "share_booked_without_operator": (by_phone / total_calls) if total_calls else 0.0,
            "fallout_reasons": dict(self.fallouts),
            "answered_by_operator": sum(self.answered_by_operator.values()),
            "abandoned": sum(self.abandoned.values()),
            "per_language": {
                language: {
                    "calls": self.calls[language],
                    "booked_by_phone": self.booked_by_phone[language],
                    "booked_by_operator": self.booked_by_operator[language],
                    "fallout_reasons": dict(self.fallouts_by_language.get(language, Counter())),
                    "answered_by_operator": self.answered_by_operator[language],
                    "abandoned": self.abandoned[language],
                }
                for language in languages
            },
        }
