"""Holds: one seat reserved for a short time while the caller decides.

A hold is one call of ``slot_service_take_hold`` (migrations 0002 and 0003): it locks the
slot row, then counts the caller's holds of the last hour and the slot's live holds, so the
capacity check sees every hold committed before the lock was granted, and only then writes
the hold. A hold stops counting the moment its ``expires_at`` passes, so no sweeper is needed
for correctness. The function answers with an ``Outcome`` that ``api.services.outcomes``
turns into the error; the rules' figures (limits, notice, borrow window, expiry) are settings
passed in as times and counts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

from sqlalchemy import Table, bindparam, select, text, update

from api.errors import HoldNotFound
from api.models import TIMESTAMPTZ, Hold, HoldStatus
from api.services.context import ServiceContext
from api.services.outcomes import Outcome, refusal
from api.settings import Channel
from api.statements import Runner

HOLDS = cast(Table, Hold.__table__)
TAKE_HOLD = text(
    "SELECT outcome, slot_office FROM slot_service_take_hold(:id, :slot_id, :channel, "
    ":caller_number, :language, :created_at, :expires_at, :since, :max_recent, "
    ":earliest_start, :borrow_until)"
).bindparams(
    *(
        bindparam(name, type_=TIMESTAMPTZ)
        for name in ("created_at", "expires_at", "since", "earliest_start", "borrow_until")
    )
)
RELEASE = (
    update(HOLDS)
    .where(
        HOLDS.c.id == bindparam("hold_id"),
        HOLDS.c.channel == bindparam("hold_channel"),
        HOLDS.c.status == HoldStatus.active.value,
    )
    .values(status=HoldStatus.released.value)
)
HOLD_STATUS = select(HOLDS.c.channel, HOLDS.c.status).where(HOLDS.c.id == bindparam("hold_id"))
SWEEP = (
    update(HOLDS)
    .where(
        HOLDS.c.status == HoldStatus.active.value,
        HOLDS.c.expires_at <= bindparam("now", type_=TIMESTAMPTZ),
    )
    .values(status=HoldStatus.released.value)
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
    """Write a hold (in the runner's transaction, if it has one), or raise without writing."""
    policy = context.settings.policy
    now = context.clock.now()
    hold = Hold(
        id=uuid.uuid4().hex,
        slot_id=slot_id,
        channel=channel.value,
        caller_number=caller_number,
        language=language,
        status=HoldStatus.active.value,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=context.settings.hold_ttl(channel)),
    )
    row = await runner.one(
        TAKE_HOLD,
        {
            "id": hold.id,
            "slot_id": slot_id,
            "channel": channel.value,
            "caller_number": caller_number,
            "language": language,
            "created_at": now,
            "expires_at": hold.expires_at,
            "since": now - dt.timedelta(hours=1),
            "max_recent": policy.max_holds_per_caller_per_hour,
            "earliest_start": now + dt.timedelta(hours=policy.min_hours_ahead),
            "borrow_until": now + dt.timedelta(hours=policy.borrow_window_hours),
        },
    )
    outcome = Outcome(row.outcome)
    if outcome != Outcome.held:
        raise refusal(outcome, policy=policy, slot_id=slot_id)
    context.metrics.holds.labels(row.slot_office, channel.value, language).inc()
    return hold


class HoldService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def hold(
        self, *, slot_id: int, channel: Channel, caller_number: str, language: str
    ) -> Hold:
        # one statement: the function needs no transaction of its own
        async with self._context.database.autocommit() as runner:
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
        async with self._context.database.autocommit() as runner:
            if await runner.rowcount(RELEASE, {"hold_id": hold_id, "hold_channel": channel.value}):
                return
            hold = await runner.one_or_none(HOLD_STATUS, {"hold_id": hold_id})
        if hold is None or hold.channel != channel.value:
            raise HoldNotFound("no such hold", hold_id=hold_id)
        if hold.status == HoldStatus.booked:
            raise HoldNotFound("the hold was already turned into a booking", hold_id=hold_id)

    async def sweep(self) -> int:
        """Mark expired holds released (housekeeping only; expiry never depends on it)."""
        async with self._context.database.autocommit() as runner:
            return await runner.rowcount(SWEEP, {"now": self._context.clock.now()})
