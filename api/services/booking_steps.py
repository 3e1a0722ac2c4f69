"""Booking a hold: the rules and the writes, on PostgreSQL in one function call, on SQLite as
Core statements in the caller's transaction.

``book_in_database`` calls ``slot_service_book_hold`` (migration 0002): identity lock, the
earlier booking with the same Idempotency-Key, the hold, the slot lock, the notice and
closure, the identity's limits, then the writes, in one round trip. ``book_in_python`` makes
the same checks in the same order after the caller took the identity lock. ``book_hold``
picks the one for the runner's database. Both return an ``Attempt`` whose ``Outcome``
``api.services.bookings`` turns into the booking or the error.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, func, insert, select, text, update

from api.models import Booking, BookingStatus, Hold, HoldStatus, Slot, UtcDateTime
from api.services.locking import lock_slot
from api.services.outcomes import Outcome
from api.settings import Channel, PolicySettings
from api.statements import Runner

BOOKINGS = cast(Table, Booking.__table__)
_HOLDS = cast(Table, Hold.__table__)
_SLOTS = cast(Table, Slot.__table__)
_REPLAY = select(BOOKINGS.c.id).where(BOOKINGS.c.idempotency_key == bindparam("key"))
REPLAY_ID = _REPLAY
REPLAY_HOLD = select(BOOKINGS.c.hold_id).where(BOOKINGS.c.id == bindparam("id", type_=Integer()))
_OF_IDENTITY = BOOKINGS.c.identity_hash == bindparam("identity")
# After the identity lock, one statement reads the hold, the identity's counts (the active
# bookings of the hold's visit type, the bookings in the window) and an earlier booking
# with the same idempotency key.
BOOKING_CHECKS = (
    select(
        _HOLDS.c.slot_id,
        _HOLDS.c.channel,
        _HOLDS.c.caller_number,
        _HOLDS.c.status,
        _HOLDS.c.expires_at,
        select(func.count())
        .where(
            _OF_IDENTITY,
            BOOKINGS.c.visit_type_code == _SLOTS.c.visit_type_code,
            BOOKINGS.c.status == BookingStatus.confirmed.value,
        )
        .scalar_subquery()
        .label("active_same_type"),
        select(func.count())
        .where(
            _OF_IDENTITY,
            BOOKINGS.c.created_at > bindparam("window_start", type_=UtcDateTime()),
            BOOKINGS.c.status != BookingStatus.cancelled.value,
        )
        .scalar_subquery()
        .label("recent"),
        _REPLAY.scalar_subquery().label("replay_id"),
    )
    .select_from(_HOLDS.join(_SLOTS, _SLOTS.c.id == _HOLDS.c.slot_id))
    .where(_HOLDS.c.id == bindparam("hold_id"))
)
TAKE_HOLD = (
    update(_HOLDS)
    .where(
        _HOLDS.c.id == bindparam("hold_id"),
        _HOLDS.c.status == HoldStatus.active.value,
        _HOLDS.c.expires_at > bindparam("now", type_=UtcDateTime()),
    )
    .values(status=HoldStatus.booked.value)
)
INSERT_BOOKING = insert(BOOKINGS).returning(BOOKINGS.c.id)


async def take_hold_and_insert(
    runner: Runner, *, values: dict[str, object], now: dt.datetime
) -> int | None:
    """Mark the hold booked and insert the booking (SQLite; PostgreSQL's function does the
    same); ``None`` (nothing written) if the hold is no longer active and unexpired."""
    taken = await runner.rowcount(TAKE_HOLD, {"hold_id": values["hold_id"], "now": now})
    if taken != 1:
        return None
    return int(await runner.scalar(INSERT_BOOKING, values))


BOOK_HOLD_FUNCTION = text(
    "SELECT outcome, booking_id, slot_id, slot_office, slot_visit_type, slot_starts_at, "
    "slot_local_date FROM slot_service_book_hold(:hold_id, :channel, :caller_number, "
    ":language, :identity_hash, :idempotency_key, :reference, :now, :window_start, "
    ":earliest_start, :max_active_same_type, :max_recent, :replay)"
).bindparams(
    *(bindparam(name, type_=UtcDateTime()) for name in ("now", "window_start", "earliest_start"))
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


async def book_hold(
    runner: Runner,
    *,
    policy: PolicySettings,
    values: dict[str, Any],
    now: dt.datetime,
    replay: bool,
) -> Attempt:
    """Book the hold of ``values``: in PostgreSQL's function, or in Python elsewhere."""
    book = book_in_database if runner.dialect_name == "postgresql" else book_in_python
    return await book(runner, policy=policy, values=values, now=now, replay=replay)


async def book_in_database(
    runner: Runner,
    *,
    policy: PolicySettings,
    values: dict[str, Any],
    now: dt.datetime,
    replay: bool,
) -> Attempt:
    """PostgreSQL: the rules and the writes in one call of the function of migration 0002."""
    row = await runner.one_or_none(
        BOOK_HOLD_FUNCTION,
        {
            **{name: values[name] for name in _FUNCTION_VALUES},
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


_FUNCTION_VALUES = (
    "hold_id",
    "channel",
    "caller_number",
    "language",
    "identity_hash",
    "idempotency_key",
    "reference",
)


async def book_in_python(
    runner: Runner,
    *,
    policy: PolicySettings,
    values: dict[str, Any],
    now: dt.datetime,
    replay: bool,
) -> Attempt:
    """The booking's rules in Python (SQLite), in the order of the PostgreSQL function."""
    hold_id = values["hold_id"]
    checks = await runner.one_or_none(
        BOOKING_CHECKS,
        {
            "hold_id": hold_id,
            "identity": values["identity_hash"],
            "window_start": now - dt.timedelta(days=policy.identity_window_days),
            "key": values["idempotency_key"],
        },
    )
    replay_id = (
        checks.replay_id
        if checks is not None
        else await runner.scalar(REPLAY_ID, {"key": values["idempotency_key"]})
    )
    if replay_id is not None:
        replay_hold = await runner.scalar(REPLAY_HOLD, {"id": replay_id})
        if replay and replay_hold == hold_id:
            return Attempt(Outcome.replay, booking_id=replay_id)
        return Attempt(Outcome.idempotency_conflict)
    if (
        checks is None
        or checks.channel != values["channel"]
        or checks.caller_number != values["caller_number"]
        or checks.status != HoldStatus.active
    ):
        return Attempt(Outcome.hold_not_found)
    if checks.expires_at <= now:
        return Attempt(Outcome.hold_expired)
    row = await lock_slot(
        runner, slot_id=checks.slot_id, booked_change=(Channel(values["channel"]), 1)
    )
    slot = SlotFacts(
        id=row.id,
        office_code=row.office_code,
        visit_type_code=row.visit_type_code,
        starts_at=row.starts_at,
        local_date=row.local_date,
    )
    if row.closed:
        return Attempt(Outcome.office_closed, slot=slot)
    if row.starts_at < now + dt.timedelta(hours=policy.min_hours_ahead):
        return Attempt(Outcome.too_late, slot=slot)
    if int(checks.active_same_type) >= policy.max_active_per_identity_and_visit_type:
        return Attempt(Outcome.identity_limit_visit_type, slot=slot)
    if int(checks.recent) >= policy.max_bookings_per_identity:
        return Attempt(Outcome.identity_limit_window, slot=slot)
    booking_id = await take_hold_and_insert(
        runner,
        values={**values, **slot.booking_columns()},
        now=now,
    )
    if booking_id is None:
        return Attempt(Outcome.hold_used, slot=slot)
    return Attempt(Outcome.booked, booking_id=booking_id, slot=slot)
