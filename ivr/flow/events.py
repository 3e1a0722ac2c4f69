"""What happens to a call, as the state machine sees it: caller input and slot-service answers.

The runner turns the channel's replies and the slot client's results and exceptions into these
values; the machine's transition table (:mod:`ivr.flow.machine`) is keyed by their types.
"""

from __future__ import annotations

from dataclasses import dataclass

from ivr.slots.models import Booking, Hold, Office, Slot, VisitType


@dataclass(frozen=True)
class Keys:
    """Digits the caller keyed (``#`` already removed); may be empty when only ``#`` was pressed."""

    digits: str


@dataclass(frozen=True)
class NoInput:
    """The caller pressed nothing before the timeout."""


@dataclass(frozen=True)
class CallerHungUp:
    """The caller is gone."""


@dataclass(frozen=True)
class VariableRead:
    """A channel variable's value (None when not set)."""

    name: str
    value: str | None


@dataclass(frozen=True)
class BookingsFound:
    bookings: tuple[Booking, ...]


@dataclass(frozen=True)
class OfficesLoaded:
    offices: tuple[Office, ...]


@dataclass(frozen=True)
class VisitTypesLoaded:
    visit_types: tuple[VisitType, ...]


@dataclass(frozen=True)
class SlotFound:
    slot: Slot


@dataclass(frozen=True)
class NoSlotLeft:
    pass


@dataclass(frozen=True)
class HoldPlaced:
    hold: Hold


@dataclass(frozen=True)
class HoldRefused:
    """The slot filled up (or vanished) between the search and the hold."""


@dataclass(frozen=True)
class Booked:
    booking: Booking


@dataclass(frozen=True)
class BookingRefused:
    """The hold expired or the seat went before the booking; the caller hears the next slot."""


@dataclass(frozen=True)
class Cancelled:
    booking: Booking


@dataclass(frozen=True)
class IdentityLimitReached:
    """The service refused: too many holds or bookings for this caller or identity."""


@dataclass(frozen=True)
class BookingLoaded:
    """The booking an outbound notice is about."""

    booking: Booking


@dataclass(frozen=True)
class OptedOut:
    """The slot service will never call this number again."""


@dataclass(frozen=True)
class ServiceFailed:
    """The slot service was slow, down, or answered outside its contract."""

    detail: str


Event = (
    Keys
    | NoInput
    | CallerHungUp
    | VariableRead
    | BookingsFound
    | OfficesLoaded
    | VisitTypesLoaded
    | SlotFound
    | NoSlotLeft
    | HoldPlaced
    | HoldRefused
    | Booked
    | BookingRefused
    | Cancelled
    | IdentityLimitReached
    | BookingLoaded
    | OptedOut
    | ServiceFailed
)
