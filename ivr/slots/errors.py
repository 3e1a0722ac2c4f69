"""Errors of the slot client: one tree, so the call flow can decide by type, not by status code.

The flow needs two answers from any failure: "is the service there at all?" (no → apology and an
operator with reason service-error) and "did the service refuse this request, and why?" (a full
slot → offer the next one; an identity limit → operator with reason identity-limit). The tree
mirrors that split::

    SlotServiceError                      anything the slot client raises
    ├── SlotServiceUnavailable            connect error, timeout (the per-request budget), 5xx
    ├── SlotServiceBadResponse            a reply that breaks the contract (not JSON, wrong shape)
    └── SlotRefused                       4xx with {"error_id", "message", "details"}
        ├── OfficeNotFound                office-not-found
        ├── VisitTypeNotFound             visit-type-not-found
        ├── SlotNotFound                  slot-not-found
        ├── SlotFull                      slot-full
        ├── HoldNotFound                  hold-not-found
        ├── HoldExpired                   hold-expired
        ├── HoldLimit                     hold-limit
        ├── IdentityLimit                 identity-limit
        ├── InvalidReference              invalid-reference
        ├── BookingNotFound               booking-not-found
        ├── TooLate                       too-late
        ├── AccessDenied                  unauthorized, forbidden
        └── InvalidRequest                validation-error

An ``error_id`` this client does not know yet still raises :class:`SlotRefused` with the id, so a
newer service never crashes an older call engine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SlotServiceError(Exception):
    """Base of everything the slot client raises."""


class SlotServiceUnavailable(SlotServiceError):
    """The service did not answer within the budget, could not be reached, or failed (5xx)."""


class SlotServiceBadResponse(SlotServiceError):
    """The service answered, but not in the shape of the HTTP contract."""


class SlotRefused(SlotServiceError):
    """The service understood the request and refused it; ``error_id`` says why."""

    def __init__(
        self,
        *,
        error_id: str,
        message: str,
        status_code: int,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{error_id}: {message}")
        self.error_id = error_id
        self.message = message
        self.status_code = status_code
        self.details: dict[str, Any] = dict(details or {})


class OfficeNotFound(SlotRefused):
    pass


class VisitTypeNotFound(SlotRefused):
    pass


class SlotNotFound(SlotRefused):
    pass


class SlotFull(SlotRefused):
    pass


class HoldNotFound(SlotRefused):
    pass


class HoldExpired(SlotRefused):
    pass


class HoldLimit(SlotRefused):
    pass


class IdentityLimit(SlotRefused):
    pass


class InvalidReference(SlotRefused):
    pass


class BookingNotFound(SlotRefused):
    pass


class TooLate(SlotRefused):
    pass


class AccessDenied(SlotRefused):
    pass


class InvalidRequest(SlotRefused):
    pass


REFUSAL_BY_ERROR_ID: dict[str, type[SlotRefused]] = {
    "office-not-found": OfficeNotFound,
    "visit-type-not-found": VisitTypeNotFound,
    "slot-not-found": SlotNotFound,
    "slot-full": SlotFull,
    "hold-not-found": HoldNotFound,
    "hold-expired": HoldExpired,
    "hold-limit": HoldLimit,
    "identity-limit": IdentityLimit,
    "invalid-reference": InvalidReference,
    "booking-not-found": BookingNotFound,
    "too-late": TooLate,
    "unauthorized": AccessDenied,
    "forbidden": AccessDenied,
    "validation-error": InvalidRequest,
}


def refusal(
    *, error_id: str, message: str, status_code: int, details: Mapping[str, Any] | None
) -> SlotRefused:
    """The most specific :class:`SlotRefused` for an API error body."""
    error_class = REFUSAL_BY_ERROR_ID.get(error_id, SlotRefused)
    return error_class(
        error_id=error_id, message=message, status_code=status_code, details=details
    )
