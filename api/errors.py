"""The one exception tree of the slot service; every error carries a stable ``error_id``.

Routes turn any ``ServiceError`` into ``{"error_id", "message", "details"}`` with its status.
Services raise before they write, or inside a transaction that is then rolled back, so a refused
request leaves nothing behind.

    ServiceError
    ├── NotFound (404)
    │   ├── OfficeNotFound        office-not-found
    │   ├── VisitTypeNotFound     visit-type-not-found
    │   ├── SlotNotFound          slot-not-found
    │   ├── HoldNotFound          hold-not-found
    │   ├── BookingNotFound       booking-not-found
    │   ├── ClosureNotFound       closure-not-found
    │   ├── CapacityTemplateNotFound  capacity-template-not-found
    │   └── AttemptNotFound       attempt-not-found (an outbound call attempt)
    ├── Refused (409)
    │   ├── SlotFull              slot-full
    │   ├── OfficeClosed          office-closed
    │   ├── HoldExpired           hold-expired (410)
    │   ├── IdentityLimit         identity-limit
    │   ├── TooLate               too-late
    │   ├── BookingNotActive      booking-not-active
    │   ├── IdempotencyConflict   idempotency-conflict
    │   ├── ClosureExists         closure-exists
    │   ├── AttemptFinished       attempt-finished (another outcome was recorded before)
    │   ├── CapacityBelowBooked   capacity-below-booked (fewer seats than taken)
    │   └── UniqueViolation       unique-violation (a unique constraint refused the row)
    ├── HoldLimit (429)           hold-limit
    ├── InvalidReference (400)    invalid-reference
    ├── InvalidRequest (422)      validation-error (also raised by FastAPI's own validation)
    ├── Unauthorized (401)        unauthorized
    ├── Forbidden (403)           forbidden
    └── DatabaseUnavailable (503) database-unavailable
        └── EmbeddedDatabaseError embedded-database (the embedded server cannot start)

Database errors become these in one step, where a statement runs (``api.statements``):
connection loss, SQLSTATE classes 08 and 57 and timeouts → ``DatabaseUnavailable``; class 22
(a value PostgreSQL refuses) → ``InvalidRequest``; a unique violation → ``UniqueViolation``
naming its constraint, which the services that expect one turn into their own error (a
reference drawn twice, ``IdempotencyConflict``, ``ClosureExists``). Any other database error
is a bug and propagates unchanged (a 500).
"""

from __future__ import annotations

from typing import Any, ClassVar


class ServiceError(Exception):
    error_id: ClassVar[str] = "service-error"
    status_code: ClassVar[int] = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self) -> dict[str, Any]:
        return {"error_id": self.error_id, "message": self.message, "details": self.details}


class NotFound(ServiceError):
    status_code = 404


class OfficeNotFound(NotFound):
    error_id = "office-not-found"


class VisitTypeNotFound(NotFound):
    error_id = "visit-type-not-found"


class SlotNotFound(NotFound):
    error_id = "slot-not-found"


class HoldNotFound(NotFound):
    error_id = "hold-not-found"


class BookingNotFound(NotFound):
    error_id = "booking-not-found"


class ClosureNotFound(NotFound):
    error_id = "closure-not-found"


class CapacityTemplateNotFound(NotFound):
    error_id = "capacity-template-not-found"


class AttemptNotFound(NotFound):
    error_id = "attempt-not-found"


class Refused(ServiceError):
    status_code = 409


class SlotFull(Refused):
    error_id = "slot-full"


class OfficeClosed(Refused):
    error_id = "office-closed"


class HoldExpired(Refused):
    error_id = "hold-expired"
    status_code = 410


class IdentityLimit(Refused):
    error_id = "identity-limit"


class TooLate(Refused):
    error_id = "too-late"


class BookingNotActive(Refused):
    error_id = "booking-not-active"


class IdempotencyConflict(Refused):
    error_id = "idempotency-conflict"


class ClosureExists(Refused):
    error_id = "closure-exists"


class AttemptFinished(Refused):
    error_id = "attempt-finished"


class CapacityBelowBooked(Refused):
    """A capacity change would leave slots with fewer seats than they have booked or held;
    ``details["slots"]`` lists them."""

    error_id = "capacity-below-booked"


class UniqueViolation(Refused):
    """A unique constraint refused a row; ``constraint`` names it (``api.models``)."""

    error_id = "unique-violation"

    def __init__(self, message: str, *, constraint: str) -> None:
        super().__init__(message, constraint=constraint)
        self.constraint = constraint


class HoldLimit(ServiceError):
    error_id = "hold-limit"
    status_code = 429


class InvalidReference(ServiceError):
    error_id = "invalid-reference"
    status_code = 400


class InvalidRequest(ServiceError):
    error_id = "validation-error"
    status_code = 422


class Unauthorized(ServiceError):
    error_id = "unauthorized"
    status_code = 401


class Forbidden(ServiceError):
    error_id = "forbidden"
    status_code = 403


class DatabaseUnavailable(ServiceError):
    error_id = "database-unavailable"
    status_code = 503


class EmbeddedDatabaseError(DatabaseUnavailable):
    """The embedded PostgreSQL (``api.embedded``) cannot be started, stopped or reached;
    ``details["reason"]`` says why (``port-taken``, ``other-version``, ``start-failed``…)."""

    error_id = "embedded-database"
