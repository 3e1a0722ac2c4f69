"""Booking a hold: the rules and the writes in one call of ``slot_service_book_hold``
(migrations 0002 and 0003).

The function takes the identity lock, looks up an earlier booking with the same
Idempotency-Key, reads the hold, locks the slot, checks the notice, the closure and the
identity's limits, then writes, in one round trip; it answers with an ``Outcome`` that
``api.services.bookings`` turns into the booking or the error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text

from api.models import TIMESTAMPTZ
from api.services.outcomes import Outcome
from api.settings import PolicySettings
from api.statements import Runner

BOOK_HOLD = text(
    "SELECT outcome, booking_id, slot_id, slot_office, slot_visit_type, slot_starts_at, "
    "slot_local_date FROM slot_service_book_hold(:hold_id, :channel, :caller_number, "
    ":language, :identity_hash, :idempotency_key, :reference, :now, :window_start, "
    ":earliest_start, :max_active_same_type, :max_recent, :replay)"
).bindparams(
    *(bindparam(name, type_=TIMESTAMPTZ) for name in ("now", "window_start", "earliest_start"))
)


@dataclass(frozen=True)
class SlotFacts:
    id: int
    office_code: str
    visit_type_code: str
    starts_at: dt.datetime
    local_date: dt.date

    def booking_columns(self) -> dict[str, Any]:
        """The slot's columns a booking copies."""
        return {
            "slot_id": self.id,
            "office_code": self.office_code,
            "visit_type_code": self.visit_type_code,
            "starts_at": self.starts_at,
            "local_date": self.local_date,
        }


@dataclass(frozen=True)
class Attempt:
    """What booking a hold came to: the outcome, the booking (written, or replayed) and the
    slot (once it was locked)."""

    outcome: Outcome
    booking_id: int | None = None
    slot: SlotFacts | None = None


FUNCTION_VALUES = (
    "hold_id",
    "channel",
    "caller_number",
    "language",
    "identity_hash",
    "idempotency_key",
    "reference",
)


async def book_hold(
    runner: Runner,
    *,
    policy: PolicySettings,
    values: dict[str, Any],
    now: dt.datetime,
    replay: bool,
) -> Attempt:
    """Book the hold of ``values`` (the booking's columns) in one function call."""
    row = await runner.one(
        BOOK_HOLD,
        {
            **{name: values[name] for name in FUNCTION_VALUES},
            "now": now,
            "window_start": now - dt.timedelta(days=policy.identity_window_days),
            "earliest_start": now + dt.timedelta(hours=policy.min_hours_ahead),
            "max_active_same_type": policy.max_active_per_identity_and_visit_type,
            "max_recent": policy.max_bookings_per_identity,
            "replay": replay,
        },
    )
    slot = (
        None
        if row.slot_id is None
        else SlotFacts(
            id=row.slot_id,
            office_code=row.slot_office,
            visit_type_code=row.slot_visit_type,
            starts_at=row.slot_starts_at,
            local_date=row.slot_local_date,
        )
    )
    return Attempt(Outcome(row.outcome), booking_id=row.booking_id, slot=slot)
