"""Async client of the slot service (HTTP contract in docs/architecture.md).

The exception tree is drawn in :mod:`ivr.slots.errors`; the typed results are in
:mod:`ivr.slots.models`.
"""

from ivr.slots.client import SlotClient, SlotClientSettings
from ivr.slots.errors import (
    AccessDenied,
    BookingNotFound,
    HoldExpired,
    HoldLimit,
    HoldNotFound,
    IdentityLimit,
    InvalidReference,
    InvalidRequest,
    OfficeNotFound,
    SlotFull,
    SlotNotFound,
    SlotRefused,
    SlotServiceBadResponse,
    SlotServiceError,
    SlotServiceUnavailable,
    TooLate,
    VisitTypeNotFound,
)
from ivr.slots.models import Booking, Hold, Office, Slot, VisitType

__all__ = [
    "AccessDenied",
    "Booking",
    "BookingNotFound",
    "Hold",
    "HoldExpired",
    "HoldLimit",
    "HoldNotFound",
    "IdentityLimit",
    "InvalidReference",
    "InvalidRequest",
    "Office",
    "OfficeNotFound",
    "Slot",
    "SlotClient",
    "SlotClientSettings",
    "SlotFull",
    "SlotNotFound",
    "SlotRefused",
    "SlotServiceBadResponse",
    "SlotServiceError",
    "SlotServiceUnavailable",
    "TooLate",
    "VisitType",
    "VisitTypeNotFound",
]
