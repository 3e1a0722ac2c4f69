"""Row locks that serialise writers of the same slot or identity.

An ``UPDATE … RETURNING`` of the row is the lock: PostgreSQL holds the row lock until commit.
Whoever comes second waits, then sees the first one's committed counts, so a check made
after the lock (in a later statement: under READ COMMITTED each statement reads a fresh
snapshot) is never stale. The hold and booking functions (migrations 0002, 0003) take the
same locks themselves; these serve the multi-step transactions (cancelling, rescheduling, an
operator's booking), in the same order everywhere: identity first, then slots by id.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Integer, Table, bindparam, update
from sqlalchemy.dialects.postgresql import insert

from api.errors import SlotNotFound
from api.models import IdentityLock, Slot
from api.settings import Channel
from api.statements import Row, Runner

SLOTS = cast(Table, Slot.__table__)
_LOCK = update(SLOTS).where(SLOTS.c.id == bindparam("slot_id", type_=Integer()))
LOCK_SLOT = _LOCK.values(version=SLOTS.c.version + 1).returning(SLOTS.c.id)
# one statement per channel whose booked count changes with the lock
LOCK_SLOT_CHANGING = {
    channel: _LOCK.values(
        {
            "version": SLOTS.c.version + 1,
            f"booked_{channel.value}": SLOTS.c[f"booked_{channel.value}"]
            + bindparam("delta", type_=Integer()),
        }
    ).returning(SLOTS.c.id)
    for channel in Channel
}
_IDENTITY = cast(Table, IdentityLock.__table__)
LOCK_IDENTITY = (
    insert(_IDENTITY)
    .values(identity_hash=bindparam("identity"), version=0)
    .on_conflict_do_update(
        index_elements=["identity_hash"], set_={"version": _IDENTITY.c.version + 1}
    )
)


async def lock_slot(
    runner: Runner,
    *,
    slot_id: int,
    booked_change: tuple[Channel, int] | None = None,
) -> Row:
    """Lock the slot row (optionally moving one channel's booked count), or raise
    ``SlotNotFound``."""
    if booked_change is None:
        slot = await runner.one_or_none(LOCK_SLOT, {"slot_id": slot_id})
    else:
        channel, delta = booked_change
        slot = await runner.one_or_none(
            LOCK_SLOT_CHANGING[channel], {"slot_id": slot_id, "delta": delta}
        )
    if slot is None:
        raise SlotNotFound("no such slot", slot_id=slot_id)
    return slot


async def lock_identity(runner: Runner, *, identity_hash: str) -> None:
    await runner.rowcount(LOCK_IDENTITY, {"identity": identity_hash})
