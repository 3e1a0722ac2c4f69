"""The earliest free slots of an office and visit type for one channel, soonest first.

Slots whose confirmed bookings already fill them are skipped in SQL; live holds are then
counted for a batch of candidates and the channel's quota applied in Python (``seats``). Slots
too close to start for the policy's minimum notice are never offered. Rows are read as plain
column tuples, not ORM objects: this is the hottest read of the service.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from api.models import Slot
from api.services.catalog import check_offered
from api.services.context import ServiceContext
from api.services.locking import live_holds_by_channel
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
        async with self._context.database.transaction() as session:
            await check_offered(session, office_code=office_code, visit_type_code=visit_type_code)
            batch = max(2 * limit, MIN_BATCH)
            while len(found) < limit:
                booked = Slot.booked_phone + Slot.booked_operator + Slot.booked_counter
                seats = Slot.seats_phone + Slot.seats_operator + Slot.seats_counter
                statement = (
                    select(*SLOT_COLUMNS)
                    .where(
                        Slot.office_code == office_code,
                        Slot.visit_type_code == visit_type_code,
                        Slot.starts_at > cursor,
                        Slot.closed.is_(False),
                        booked < seats,
                    )
                    .order_by(Slot.starts_at)
                    .limit(batch)
                )
                candidates = list((await session.execute(statement)).all())
                holds = await live_holds_by_channel(
                    session, slot_ids=[slot.id for slot in candidates], now=now
                )
                for slot in candidates:
                    free = free_seats(
                        slot=slot,
                        channel=channel,
                        live_holds=holds.get(slot.id, {}),
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
        return found
