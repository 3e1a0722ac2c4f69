"""The answers of a hold and of a booking from a hold, and the error each refusal raises.

The rules decide in the database, in the functions ``slot_service_take_hold`` and
``slot_service_book_hold`` (migrations 0002 and 0003, one round trip per step), which answer
with these words; only this module turns a word into an error, with the figures of the
policy the service passed in.
"""

from __future__ import annotations

from enum import StrEnum

from api.errors import (
    HoldExpired,
    HoldLimit,
    HoldNotFound,
    IdempotencyConflict,
    IdentityLimit,
    OfficeClosed,
    ServiceError,
    SlotFull,
    SlotNotFound,
    TooLate,
)
from api.settings import PolicySettings


class Outcome(StrEnum):
    held = "held"
    booked = "booked"
    replay = "replay"  # the same Idempotency-Key and hold were booked before
    hold_limit = "hold-limit"
    slot_not_found = "slot-not-found"
    office_closed = "office-closed"
    too_late = "too-late"
    slot_full = "slot-full"
    idempotency_conflict = "idempotency-conflict"
    hold_not_found = "hold-not-found"
    hold_expired = "hold-expired"
    hold_used = "hold-used"  # booked or released between the read and the write
    identity_limit_visit_type = "identity-limit-visit-type"
    identity_limit_window = "identity-limit-window"


def refusal(
    outcome: Outcome,
    *,
    policy: PolicySettings,
    slot_id: int | None = None,
    hold_id: str | None = None,
    visit_type: str | None = None,
) -> ServiceError:
    """The error for a refused hold or booking (never for ``held``, ``booked``, ``replay``)."""
    match outcome:
        case Outcome.hold_limit:
            return HoldLimit(
                "too many holds for this caller number in the last hour",
                limit=policy.max_holds_per_caller_per_hour,
            )
        case Outcome.slot_not_found:
            return SlotNotFound("no such slot", slot_id=slot_id)
        case Outcome.office_closed:
            return OfficeClosed("the office is closed on this day", slot_id=slot_id)
        case Outcome.too_late:
            return TooLate(
                "the slot starts too soon to be booked",
                slot_id=slot_id,
                min_hours_ahead=policy.min_hours_ahead,
            )
        case Outcome.slot_full:
            return SlotFull("no free seat left in this slot", slot_id=slot_id)
        case Outcome.idempotency_conflict:
            return IdempotencyConflict(
                "this Idempotency-Key was used for another request", hold_id=hold_id
            )
        case Outcome.hold_not_found:
            return HoldNotFound("no such active hold for this caller", hold_id=hold_id)
        case Outcome.hold_expired:
            return HoldExpired("the hold expired; hold the slot again", hold_id=hold_id)
        case Outcome.hold_used:
            return HoldNotFound("the hold was used or released meanwhile", hold_id=hold_id)
        case Outcome.identity_limit_visit_type:
            return IdentityLimit(
                "this identity already has an active booking of this visit type",
                rule="active-per-visit-type",
                visit_type=visit_type,
            )
        case Outcome.identity_limit_window:
            return IdentityLimit(
                "this identity reached the number of bookings allowed in the window",
                rule="bookings-per-window",
                limit=policy.max_bookings_per_identity,
                window_days=policy.identity_window_days,
            )
    raise ValueError(f"{outcome!r} is not a refusal")
