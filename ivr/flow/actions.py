"""What the call flow asks the runner to do: a small, closed vocabulary of frozen values.

The state machine (:mod:`ivr.flow.machine`) never performs anything; it answers every event with
a tuple of these actions, and :mod:`ivr.flow.runner` is the one place that carries them out over
the AGI channel and the slot client. Actions that need an answer (``Ask``, ``ReadVariable``
and the slot-service requests) always come last in a tuple, and at most one per tuple, so the
runner knows which event to feed back next.

Nothing here raises at run time except :class:`ValueError` for an action built against its own
rules (an ``Ask`` without a prompt or without a digit to collect).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ivr.slots.models import ResourceId

DIGIT_KEYS = "0123456789"


@dataclass(frozen=True)
class Prompt:
    """One recorded prompt (an id of the catalog) in one language; played as ``L/ivr/<id>``."""

    id: str
    language: str

    @property
    def file_name(self) -> str:
        return f"{self.language}/ivr/{self.id}"


@dataclass(frozen=True)
class Play:
    """Play prompts in turn, not interruptible (apologies, goodbyes, transfer notices).

    Speech a caller may key through belongs in an :class:`Ask`.
    """

    prompts: tuple[Prompt, ...]


@dataclass(frozen=True)
class Ask:
    """Play prompts, interruptible by ``keys``, then collect up to ``max_digits`` digits.

    ``first_digit_timeout_ms`` is the silence allowed after the last prompt,
    ``inter_digit_timeout_ms`` the silence allowed after a digit; ``#`` ends a multi-digit entry.
    A key pressed during any prompt starts the answer (key-ahead); a multi-digit entry goes on
    from there. The answer comes back as :class:`ivr.flow.events.Keys` or
    :class:`ivr.flow.events.NoInput`.
    """

    prompts: tuple[Prompt, ...]
    keys: str
    max_digits: int
    first_digit_timeout_ms: int
    inter_digit_timeout_ms: int

    def __post_init__(self) -> None:
        if not self.prompts:
            raise ValueError("an Ask needs at least one prompt")
        if self.max_digits < 1:
            raise ValueError("max_digits must be at least 1")


@dataclass(frozen=True)
class SetVariables:
    """Set channel variables (and functions such as ``CHANNEL(language)``) in this order."""

    values: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ReadVariable:
    """Read a channel variable; answered by :class:`ivr.flow.events.VariableRead`."""

    name: str


@dataclass(frozen=True)
class ReturnToDialplan:
    """End the AGI session by closing it; the dialplan reads the ``IVR_*`` variables."""

    result: str
    fallout_reason: str | None = None


@dataclass(frozen=True)
class Hangup:
    """Hang the caller up after the goodbye (``result`` is for the metrics)."""

    result: str


# -- requests to the slot service (each answered by one event) -----------------------------------


@dataclass(frozen=True)
class FindBookings:
    caller_number: str


@dataclass(frozen=True)
class FetchOffices:
    pass


@dataclass(frozen=True)
class FetchVisitTypes:
    office: str


@dataclass(frozen=True)
class FindSlot:
    office: str
    visit_type: str
    after: datetime


@dataclass(frozen=True)
class HoldSlot:
    slot_id: ResourceId
    caller_number: str
    language: str


@dataclass(frozen=True)
class Book:
    """Turn the hold into a booking; the identity never shows in a repr (logs)."""

    hold_id: ResourceId
    caller_number: str
    language: str
    passport_digits: str = field(repr=False)
    birth_date: date = field(repr=False)
    idempotency_key: str


@dataclass(frozen=True)
class CancelBooking:
    reference: str
    caller_number: str


@dataclass(frozen=True)
class FindBooking:
    """The booking of an outbound notice, proven by the number called."""

    reference: str
    caller_number: str


@dataclass(frozen=True)
class Rebook:
    """Book the held slot with the identity of booking ``reference`` and cancel that booking
    (if still active), in one transaction of the slot service."""

    reference: str
    hold_id: ResourceId
    caller_number: str
    language: str
    idempotency_key: str


@dataclass(frozen=True)
class OptOut:
    """Never call this number again (key 9 of a notice)."""

    caller_number: str


@dataclass(frozen=True)
class ReleaseHold:
    """Give the held seat back; needs no answer (a failure is logged by the runner)."""

    hold_id: ResourceId


ServiceRequest = (
    FindBookings
    | FetchOffices
    | FetchVisitTypes
    | FindSlot
    | HoldSlot
    | Book
    | CancelBooking
    | FindBooking
    | Rebook
    | OptOut
)
Action = (
    Play
    | Ask
    | SetVariables
    | ReadVariable
    | ReturnToDialplan
    | Hangup
    | ReleaseHold
    | ServiceRequest
)
