"""The earliest free slots of an office and visit type for one channel, soonest first.

Slots whose confirmed bookings already fill them are skipped in SQL; live holds are then
counted for each candidate by correlated subqueries in the same statement, and the channel's
quota applied in Python (``seats``); the office and visit type are looked up only when nothing
is free, to tell an empty answer from an unknown office or visit type. Slots
too close to start for the policy's minimum notice are never offered. Rows are read as plain
column tuples, not ORM objects, through ``api.statements`` (straight on asyncpg on
PostgreSQL): this is the hottest read of the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, Label, bindparam, func, select

from api.models import Hold, HoldStatus, Slot, UtcDateTime
from api.services.catalog import check_offered
from api.services.context import ServiceContext
from api.services.seats import free_seats
from api.settings import Channel

MIN_BATCH = 10
SLOT_COLUMNS = (
    Slot.id,
    Slot.office_code,
    Slot.visit_type_code,
    Slot.starts_at,
    Slot.ends_at,
    Slot.seats_phone,
    Slot.seats_operator,
    Slot.seats_counter,
    Slot.booked_phone,
    Slot.booked_operator,
    Slot.booked_counter,
)


def _held(channel: Channel) -> Label[int]:
    return (
        select(func.count())
        .where(
            Hold.slot_id == Slot.id,
            Hold.status == HoldStatus.active,
            Hold.expires_at > bindparam("now", type_=UtcDateTime()),
            Hold.channel == channel.value,
        )
        .scalar_subquery()
        .label(f"held_{channel.value}")
    )


# Built once: constructing the expression per request cost more CPU than running it.
CANDIDATES = (
    select(*SLOT_COLUMNS, *(_held(channel) for channel in Channel))
    .where(
        Slot.office_code == bindparam("office"),
        Slot.visit_type_code == bindparam("visit_type"),
        Slot.starts_at > bindparam("cursor", type_=UtcDateTime()),
        Slot.closed.is_(False),
        Slot.booked_phone + Slot.booked_operator + Slot.booked_counter
        < Slot.seats_phone + Slot.seats_operator + Slot.seats_counter,
    )
    .order_by(Slot.starts_at)
    .limit(bindparam("batch", type_=Integer()))
)


@dataclass(frozen=True)
class FreeSlot:
    slot_id: int
    office_code: str
    visit_type_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    free_seats: int


class AvailabilityService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def earliest(
        self,
        *,
        office_code: str,
        visit_type_code: str,
        channel: Channel,
        after: dt.datetime | None,
        limit: int,
    ) -> list[FreeSlot]:
        settings = self._context.settings
        now = self._context.clock.now()
        earliest_start = now + dt.timedelta(hours=settings.policy.min_hours_ahead)
        cursor = earliest_start if after is None else max(after, earliest_start)
        if after is None or after < earliest_start:
            cursor -= dt.timedelta(microseconds=1)  # the bound is exclusive
        borrow_window = dt.timedelta(hours=settings.policy.borrow_window_hours)
        found: list[FreeSlot] = []
        # a read: each batch may see its own snapshot (a hold re-checks the seat anyway)
        async with self._context.database.runner(atomic=False) as runner:
            batch = max(2 * limit, MIN_BATCH)
            while len(found) < limit:
                parameters = {
                    "office": office_code,
                    "visit_type": visit_type_code,
                    "cursor": cursor,
                    "now": now,
                    "batch": batch,
                }
                candidates = await runner.all(CANDIDATES, parameters)
                for slot in candidates:
                    live_holds = {
                        "phone": slot.held_phone,
                        "operator": slot.held_operator,
                        "counter": slot.held_counter,
                    }
                    free = free_seats(
                        slot=slot,
                        channel=channel,
                        live_holds=live_holds,
                        now=now,
                        borrow_window=borrow_window,
                    )
                    if free > 0:
                        found.append(
                            FreeSlot(
                                slot_id=slot.id,
                                office_code=slot.office_code,
                                visit_type_code=slot.visit_type_code,
                                starts_at=slot.starts_at,
                                ends_at=slot.ends_at,
                                free_seats=free,
                            )
                        )
                        if len(found) == limit:
                            break
                if len(candidates) < batch:
                    break
                cursor = candidates[-1].starts_at
        if not found:  # tell "nothing free" from an unknown office or visit type
            async with self._context.database.transaction() as session:
                await check_offered(
                    session, office_code=office_code, visit_type_code=visit_type_code
                )
        return found
