"""Holds: one seat reserved for a short time while the caller decides.

The slot row is locked first (``locking.lock_slot``); one statement after the lock then
counts the caller's holds of the last hour and the slot's live holds per channel, so the
capacity check sees every hold committed before the lock was granted. Only then is the hold
written. A hold stops counting the moment its ``expires_at`` passes, so no sweeper is needed
for correctness. The hot path runs Core statements built once (``api.statements``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

from sqlalchemy import Label, Table, bindparam, func, insert, select, update

from api.errors import HoldLimit, HoldNotFound, OfficeClosed, SlotFull, SlotNotFound, TooLate
from api.models import Hold, HoldStatus, UtcDateTime
from api.services.context import ServiceContext
from api.services.locking import lock_slot
from api.services.seats import free_seats
from api.settings import Channel
from api.statements import Runner

HOLDS = cast(Table, Hold.__table__)
_RECENT = (
    select(func.count())
    .where(
        HOLDS.c.caller_number == bindparam("caller"),
        HOLDS.c.created_at > bindparam("since", type_=UtcDateTime()),
    )
    .scalar_subquery()
)


def _live(channel: Channel) -> Label[int]:
    return (
        select(func.count())
        .where(
            HOLDS.c.slot_id == bindparam("slot_id"),
            HOLDS.c.status == HoldStatus.active.value,
            HOLDS.c.expires_at > bindparam("now", type_=UtcDateTime()),
            HOLDS.c.channel == channel.value,
        )
        .scalar_subquery()
        .label(channel.value)
    )


RECENT_HOLDS = select(_RECENT.label("recent"))
HOLD_COUNTS = select(_RECENT.label("recent"), *(_live(channel) for channel in Channel))
INSERT_HOLD = insert(HOLDS)


async def create_hold(
    runner: Runner,
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
    since = now - dt.timedelta(hours=1)
    try:
        slot = await lock_slot(runner, slot_id=slot_id)
    except SlotNotFound:
        recent = await runner.scalar(RECENT_HOLDS, {"caller": caller_number, "since": since})
        _check_hold_limit(context, recent=int(recent or 0))
        raise
    counts = await runner.one_or_none(
        HOLD_COUNTS, {"caller": caller_number, "since": since, "slot_id": slot_id, "now": now}
    )
    _check_hold_limit(context, recent=int(counts.recent))
    if slot.closed:
        raise OfficeClosed("the office is closed on this day", slot_id=slot_id)
    if slot.starts_at < now + dt.timedelta(hours=policy.min_hours_ahead):
        raise TooLate(
            "the slot starts too soon to be booked",
            slot_id=slot_id,
            min_hours_ahead=policy.min_hours_ahead,
        )
    free = free_seats(
        slot=slot,
        channel=channel,
        live_holds={c.value: int(getattr(counts, c.value)) for c in Channel},
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
    await runner.rowcount(INSERT_HOLD, values)
    hold = Hold(**values)
    context.metrics.holds.labels(slot.office_code, channel.value, language).inc()
    return hold


def _check_hold_limit(context: ServiceContext, *, recent: int) -> None:
    limit = context.settings.policy.max_holds_per_caller_per_hour
    if recent >= limit:
        raise HoldLimit("too many holds for this caller number in the last hour", limit=limit)


class HoldService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def hold(
        self, *, slot_id: int, channel: Channel, caller_number: str, language: str
    ) -> Hold:
        async with self._context.database.runner() as runner:
            return await create_hold(
                runner,
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
