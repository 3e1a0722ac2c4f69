"""Row locks that serialise writers, the same statements on SQLite and PostgreSQL.

An ``UPDATE … RETURNING`` of the row is the lock: PostgreSQL takes a row lock until commit,
SQLite takes the database write lock. Whoever comes second waits, then sees the first one's
committed counts, so a capacity check made after the lock (in a later statement: under READ
COMMITTED each statement reads a fresh snapshot) is never stale.

The statements are Core statements on the tables, built once at import: building an
expression and going through the ORM cost more CPU per booking than running the SQL.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from api.errors import SlotNotFound
from api.models import IdentityLock, Slot
from api.settings import Channel
from api.statements import Runner

SLOTS = cast(Table, Slot.__table__)
SLOT_COLUMNS = (
    SLOTS.c.id,
    SLOTS.c.office_code,
    SLOTS.c.visit_type_code,
    SLOTS.c.local_date,
    SLOTS.c.starts_at,
    SLOTS.c.seats_phone,
    SLOTS.c.seats_operator,
    SLOTS.c.seats_counter,
    SLOTS.c.booked_phone,
    SLOTS.c.booked_operator,
    SLOTS.c.booked_counter,
    SLOTS.c.closed,
)
_LOCK = update(SLOTS).where(SLOTS.c.id == bindparam("slot_id", type_=Integer()))
LOCK_SLOT = _LOCK.values(version=SLOTS.c.version + 1).returning(*SLOT_COLUMNS)
# one statement per channel whose booked count changes with the lock
LOCK_SLOT_CHANGING = {
    channel: _LOCK.values(
        {
            "version": SLOTS.c.version + 1,
            f"booked_{channel.value}": SLOTS.c[f"booked_{channel.value}"]
            + bindparam("delta", type_=Integer()),
        }
    ).returning(*SLOT_COLUMNS)
    for channel in Channel
}
_IDENTITY = cast(Table, IdentityLock.__table__)
LOCK_IDENTITY = {
    dialect: insert(_IDENTITY)
    .values(identity_hash=bindparam("identity"), version=0)
    .on_conflict_do_update(
        index_elements=["identity_hash"], set_={"version": _IDENTITY.c.version + 1}
    )
    for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}


async def lock_slot(
    runner: Runner,
    *,
    slot_id: int,
    booked_change: tuple[Channel, int] | None = None,
) -> Any:
    """Lock the slot row (optionally moving one channel's booked count) and return its
    columns (``SLOT_COLUMNS``), or raise ``SlotNotFound``."""
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
    await runner.rowcount(LOCK_IDENTITY[runner.dialect_name], {"identity": identity_hash})
