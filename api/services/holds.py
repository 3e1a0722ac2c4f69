"""Holds: one seat reserved for a short time while the caller decides.

The slot row is locked first (``locking.lock_slot``), then confirmed bookings and live holds
are counted and the channel's quota applied; only then is the hold written. A hold stops
counting the moment its ``expires_at`` passes, so no sweeper is needed for correctness.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import HoldLimit, HoldNotFound, OfficeClosed, SlotFull, TooLate
from api.models import Hold, HoldStatus
from api.services.context import ServiceContext
from api.services.locking import live_holds_by_channel, lock_slot
from api.services.seats import free_seats
from api.settings import Channel


async def create_hold(
    session: AsyncSession,
    context: ServiceContext,
    *,
    slot_id: int,
    channel: Channel,
    caller_number: str,
    language: str,
) -> Hold:
    """Write a hold inside the caller's transaction, or raise without writing."""
    policy = context.settings.policy
    now = context.clock.now()
    recent = await session.scalar(
        select(func.count())
        .select_from(Hold)
        .where(Hold.caller_number == caller_number, Hold.created_at > now - dt.timedelta(hours=1))
    )
    if (recent or 0) >= policy.max_holds_per_caller_per_hour:
        raise HoldLimit(
            "too many holds for this caller number in the last hour",
            limit=policy.max_holds_per_caller_per_hour,
        )
    slot = await lock_slot(session, slot_id=slot_id)
    if slot.closed:
        raise OfficeClosed("the office is closed on this day", slot_id=slot_id)
    if slot.starts_at < now + dt.timedelta(hours=policy.min_hours_ahead):
        raise TooLate(
            "the slot starts too soon to be booked",
            slot_id=slot_id,
            min_hours_ahead=policy.min_hours_ahead,
        )
    holds = await live_holds_by_channel(session, slot_ids=[slot.id], now=now)
    free = free_seats(
        slot=slot,
        channel=channel,
        live_holds=holds.get(slot.id, {}),
        now=now,
        borrow_window=dt.timedelta(hours=policy.borrow_window_hours),
    )
    if free <= 0:
        raise SlotFull("no free seat left in this slot", slot_id=slot_id)
    values = {
        "id": uuid.uuid4().hex,
        "slot_id": slot.id,
        "channel": channel.value,
        "caller_number": caller_number,
        "language": language,
        "status": HoldStatus.active.value,
        "created_at": now,
        "expires_at": now + dt.timedelta(seconds=context.settings.hold_ttl(channel)),
    }
    # a Core insert: the ORM unit of work costs more CPU than the rest of the request
    await session.execute(insert(Hold).values(values))
    hold = Hold(**values)
    context.metrics.holds.labels(slot.office_code, channel.value, language).inc()
    return hold


class HoldService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def hold(
        self, *, slot_id: int, channel: Channel, caller_number: str, language: str
    ) -> Hold:
        async with self._context.database.transaction() as session:
            return await create_hold(
                session,
                self._context,
                slot_id=slot_id,
                channel=channel,
                caller_number=caller_number,
                language=language,
            )

    async def release(self, *, hold_id: str, channel: Channel) -> None:
        """Release an active hold of this channel; releasing twice is not an error."""
        async with self._context.database.transaction() as session:
            hold = await session.get(Hold, hold_id)
            if hold is None or hold.channel != channel.value:
                raise HoldNotFound("no such hold", hold_id=hold_id)
            if hold.status == HoldStatus.booked:
                raise HoldNotFound("the hold was already turned into a booking", hold_id=hold_id)
            await session.execute(
                update(Hold)
                .where(Hold.id == hold_id, Hold.status == HoldStatus.active)
                .values(status=HoldStatus.released.value)
            )

    async def sweep(self) -> int:
        """Mark expired holds released (housekeeping only; expiry never depends on it)."""
        now = self._context.clock.now()
        async with self._context.database.transaction() as session:
            result = await session.execute(
                update(Hold)
                .where(Hold.status == HoldStatus.active, Hold.expires_at <= now)
                .values(status=HoldStatus.released.value)
            )
            return int(getattr(result, "rowcount", 0) or 0)
