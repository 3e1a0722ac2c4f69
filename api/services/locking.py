"""Row locks that serialise writers, the same statements on SQLite and PostgreSQL.

An ``UPDATE … RETURNING`` of the row is the lock: PostgreSQL takes a row lock until commit,
SQLite takes the database write lock. Whoever comes second waits, then sees the first one's
committed counts, so a capacity check made after the lock is never stale.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import SlotNotFound
from api.models import Hold, HoldStatus, IdentityLock, Slot
from api.settings import Channel


async def lock_slot(
    session: AsyncSession, *, slot_id: int, booked_delta: dict[Channel, int] | None = None
) -> Slot:
    values: dict[str, object] = {"version": Slot.version + 1}
    for channel, delta in (booked_delta or {}).items():
        column = getattr(Slot, f"booked_{channel.value}")
        values[f"booked_{channel.value}"] = column + delta
    statement = (
        update(Slot)
        .where(Slot.id == slot_id)
        .values(values)
        .returning(Slot)
        .execution_options(synchronize_session=False)
    )
    slot = (await session.execute(statement)).scalar_one_or_none()
    if slot is None:
        raise SlotNotFound("no such slot", slot_id=slot_id)
    return slot


async def lock_identity(session: AsyncSession, *, identity_hash: str) -> None:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(IdentityLock).values(identity_hash=identity_hash, version=0)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["identity_hash"],
            set_={"version": IdentityLock.version + 1},
        )
    )


async def live_holds_by_channel(
    session: AsyncSession, *, slot_ids: list[int], now: dt.datetime
) -> dict[int, dict[str, int]]:
    if not slot_ids:
        return {}
    rows = await session.execute(
        select(Hold.slot_id, Hold.channel, func.count())
        .where(
            Hold.slot_id.in_(slot_ids),
            Hold.status == HoldStatus.active,
            Hold.expires_at > now,
        )
        .group_by(Hold.slot_id, Hold.channel)
    )
    counts: dict[int, dict[str, int]] = {}
    for slot_id, channel, count in rows.all():
        counts.setdefault(slot_id, {})[channel] = count
    return counts
