"""Holds: one seat reserved for a short time while the caller decides.

The slot row is locked first (``locking.lock_slot``); one statement after the lock then
counts the caller's holds of the last hour and the slot's live holds per channel, so the
capacity check sees every hold committed before the lock was granted. Only then is the hold
written. A hold stops counting the moment its ``expires_at`` passes, so no sweeper is needed
for correctness. On PostgreSQL the same steps run as one server-side function (migration
0002, one round trip); on SQLite as the Core statements below (``api.statements``). Both
answer with an ``Outcome`` that ``api.services.outcomes`` turns into the error.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, cast

from sqlalchemy import Label, Table, bindparam, func, insert, select, text, update

from api.errors import HoldNotFound, SlotNotFound
from api.models import Hold, HoldStatus, UtcDateTime
from api.services.context import ServiceContext
from api.services.locking import lock_slot
from api.services.outcomes import Outcome, refusal
from api.services.seats import free_seats
from api.settings import Channel, PolicySettings
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
TAKE_HOLD_FUNCTION = text(
    "SELECT outcome, slot_office FROM slot_service_take_hold(:id, :slot_id, :channel, "
    ":caller_number, :language, :created_at, :expires_at, :since, :max_recent, "
    ":earliest_start, :borrow_until)"
).bindparams(
    *(
        bindparam(name, type_=UtcDateTime())
        for name in ("created_at", "expires_at", "since", "earliest_start", "borrow_until")
    )
)


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
    values: dict[str, Any] = {
        "id": uuid.uuid4().hex,
        "slot_id": slot_id,
        "channel": channel.value,
        "caller_number": caller_number,
        "language": language,
        "status": HoldStatus.active.value,
        "created_at": now,
        "expires_at": now + dt.timedelta(seconds=context.settings.hold_ttl(channel)),
    }
    if runner.dialect_name == "postgresql":
        row = await runner.one_or_none(
            TAKE_HOLD_FUNCTION,
            {
                **{name: value for name, value in values.items() if name != "status"},
                "since": now - dt.timedelta(hours=1),
                "max_recent": policy.max_holds_per_caller_per_hour,
                "earliest_start": now + dt.timedelta(hours=policy.min_hours_ahead),
                "borrow_until": now + dt.timedelta(hours=policy.borrow_window_hours),
            },
        )
        outcome, office_code = Outcome(row.outcome), row.slot_office
    else:
        outcome, office_code = await _take_hold(runner, policy=policy, values=values, now=now)
    if outcome != Outcome.held:
        raise refusal(outcome, policy=policy, slot_id=slot_id)
    context.metrics.holds.labels(office_code, channel.value, language).inc()
    return Hold(**values)


async def _take_hold(
    runner: Runner, *, policy: PolicySettings, values: dict[str, Any], now: dt.datetime
) -> tuple[Outcome, str | None]:
    """The hold's rules in Python (SQLite), in the order of the PostgreSQL function."""
    counts_of = {"caller": values["caller_number"], "since": now - dt.timedelta(hours=1)}
    try:
        slot = await lock_slot(runner, slot_id=values["slot_id"])
    except SlotNotFound:
        recent = await runner.scalar(RECENT_HOLDS, counts_of)
        if int(recent or 0) >= policy.max_holds_per_caller_per_hour:
            return Outcome.hold_limit, None
        return Outcome.slot_not_found, None
    counts = await runner.one_or_none(
        HOLD_COUNTS, {**counts_of, "slot_id": values["slot_id"], "now": now}
    )
    if int(counts.recent) >= policy.max_holds_per_caller_per_hour:
        return Outcome.hold_limit, slot.office_code
    if slot.closed:
        return Outcome.office_closed, slot.office_code
    if slot.starts_at < now + dt.timedelta(hours=policy.min_hours_ahead):
        return Outcome.too_late, slot.office_code
    free = free_seats(
        slot=slot,
        channel=Channel(values["channel"]),
        live_holds={c.value: int(getattr(counts, c.value)) for c in Channel},
        now=now,
        borrow_window=dt.timedelta(hours=policy.borrow_window_hours),
    )
    if free <= 0:
        return Outcome.slot_full, slot.office_code
    await runner.rowcount(INSERT_HOLD, values)
    return Outcome.held, slot.office_code


class HoldService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def hold(
        self, *, slot_id: int, channel: Channel, caller_number: str, language: str
    ) -> Hold:
        database = self._context.database
        async with database.runner(atomic=not database.rules_in_database) as runner:
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
