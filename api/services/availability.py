"""The earliest free slots of an office and visit type for one channel, soonest first.

One statement: the slots after the cursor, in start order, with their live holds
(``slot_service_live_holds``) and the seats free for the channel
(``slot_service_free_seats``, the same functions the hold's own check calls: migration 0003),
keeping those with a free seat, up to the limit. Slots whose confirmed bookings already fill
them are skipped before their holds are counted. The office and visit type are looked up only
when nothing is free, to tell an empty answer from an unknown office or visit type. Slots too
close to start for the policy's minimum notice are never offered. This is the hottest read of
the service: rows are asyncpg records (``api.statements``), not models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Integer, String, Table, bindparam, func, select, true

from api.models import TIMESTAMPTZ, Slot
from api.services.catalog import check_offered
from api.services.context import ServiceContext
from api.settings import Channel

SLOTS = cast(Table, Slot.__table__)
LIVE_HOLDS = (
    func.slot_service_live_holds(SLOTS.c.id, bindparam("now", type_=TIMESTAMPTZ))
    .table_valued("phone", "operator", "counter")
    .lateral("live")
)
FREE = func.slot_service_free_seats(
    SLOTS.table_valued(),  # the slot's row
    bindparam("channel", type_=String()),
    LIVE_HOLDS.c.phone,
    LIVE_HOLDS.c.operator,
    LIVE_HOLDS.c.counter,
    bindparam("borrow_until", type_=TIMESTAMPTZ),
    type_=Integer(),
)
FREE_SLOTS = (
    select(
        SLOTS.c.id,
        SLOTS.c.office_code,
        SLOTS.c.visit_type_code,
        SLOTS.c.starts_at,
        SLOTS.c.ends_at,
        FREE.label("free_seats"),
    )
    .select_from(SLOTS.join(LIVE_HOLDS, true()))
    .where(
        SLOTS.c.office_code == bindparam("office"),
        SLOTS.c.visit_type_code == bindparam("visit_type"),
        SLOTS.c.starts_at > bindparam("cursor", type_=TIMESTAMPTZ),
        SLOTS.c.closed.is_(False),
        SLOTS.c.booked_phone + SLOTS.c.booked_operator + SLOTS.c.booked_counter
        < SLOTS.c.seats_phone + SLOTS.c.seats_operator + SLOTS.c.seats_counter,
        FREE > 0,
    )
    .order_by(SLOTS.c.starts_at)
    .limit(bindparam("limit", type_=Integer()))
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
        policy = self._context.settings.policy
        now = self._context.clock.now()
        earliest_start = now + dt.timedelta(hours=policy.min_hours_ahead)
        cursor = earliest_start if after is None else max(after, earliest_start)
        if after is None or after < earliest_start:
            cursor -= dt.timedelta(microseconds=1)  # the bound is exclusive
        async with self._context.database.autocommit() as runner:
            rows = await runner.all(
                FREE_SLOTS,
                {
                    "office": office_code,
                    "visit_type": visit_type_code,
                    "cursor": cursor,
                    "now": now,
                    "channel": channel.value,
                    "borrow_until": now + dt.timedelta(hours=policy.borrow_window_hours),
                    "limit": limit,
                },
            )
            if not rows:  # tell "nothing free" from an unknown office or visit type
                await check_offered(
                    runner, office_code=office_code, visit_type_code=visit_type_code
                )
        return [
            FreeSlot(
                slot_id=row["id"],
                office_code=row["office_code"],
                visit_type_code=row["visit_type_code"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                free_seats=row["free_seats"],
            )
            for row in rows
        ]
