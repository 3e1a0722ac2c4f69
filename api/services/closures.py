"""Closing an office for a day or part of one: preview the bookings it hits, then cancel them.

A closure closes every slot of the office and day that overlaps its range (the whole day when
it has none) and cancels the confirmed bookings of those slots not yet started, in one
transaction: each cancelled booking names the closure (``cancelled_by_closure_id``, which the
outbound notices look for) and gives its seat back on its slot's ``booked_<channel>`` count.
A closed slot takes no new hold and no booking from an older hold (the hold and booking
functions of migration 0003 refuse ``office-closed``), so nothing is booked into the closed
period once the closure commits.

Locks, in the order the booking transactions take theirs (``api.services.locking``): the
office row first (``FOR NO KEY UPDATE``, which a booking's foreign-key check never waits for:
it only serialises two closures or reopenings of one office, so a closure already covering
the period is found without a race), then the slot rows ascending by id (``FOR NO KEY
UPDATE``, as an ``UPDATE`` of a slot takes), then the booking rows. No identity row is
taken, so a closure never waits for a booking that waits for it.

Reopening keeps the closure (its cancelled bookings still point at it), sets ``reopened_at``
and opens the slots no other active closure covers; the cancelled bookings stay cancelled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import (
    ARRAY,
    Date,
    Integer,
    Table,
    and_,
    any_,
    bindparam,
    exists,
    func,
    insert,
    not_,
    or_,
    select,
    update,
)

from api.errors import ClosureExists, ClosureNotFound, InvalidRequest, OfficeNotFound, TooLate
from api.models import TIMESTAMPTZ, Booking, BookingStatus, Closure, Office, Slot
from api.services.context import ServiceContext
from api.settings import Channel, Role
from api.statements import Runner, optional_filter

CLOSURES = cast(Table, Closure.__table__)
BOOKINGS = cast(Table, Booking.__table__)
SLOTS = cast(Table, Slot.__table__)
OFFICES = cast(Table, Office.__table__)

_START = bindparam("start", type_=TIMESTAMPTZ)
_END = bindparam("end", type_=TIMESTAMPTZ)
_IDS = bindparam("ids", type_=ARRAY(Integer()))
_NOW = bindparam("now", type_=TIMESTAMPTZ)
_DAY = bindparam("day", type_=Date())

LOCK_OFFICE = (
    select(OFFICES.c.code)
    .where(OFFICES.c.code == bindparam("office"))
    .with_for_update(key_share=True)  # FOR NO KEY UPDATE
)
# an active closure of the office and day that already covers :start-:end (NULL: the day)
COVERING = (
    select(CLOSURES.c.id)
    .where(
        CLOSURES.c.office_code == bindparam("office"),
        CLOSURES.c.day == bindparam("day"),
        CLOSURES.c.reopened_at.is_(None),
        or_(
            CLOSURES.c.starts_at.is_(None),
            and_(_START.is_not(None), CLOSURES.c.starts_at <= _START, CLOSURES.c.ends_at >= _END),
        ),
    )
    .limit(1)
)
_SLOTS_HIT = (
    select(SLOTS.c.id)
    .where(
        SLOTS.c.office_code == bindparam("office"),
        SLOTS.c.local_date == bindparam("day"),
        or_(_START.is_(None), and_(SLOTS.c.starts_at < _END, SLOTS.c.ends_at > _START)),
    )
    .order_by(SLOTS.c.id)
)
SLOTS_HIT = _SLOTS_HIT
LOCK_SLOTS_HIT = _SLOTS_HIT.with_for_update(key_share=True)  # ascending id: the lock order
BOOKINGS_HIT = (
    select(BOOKINGS)
    .where(
        BOOKINGS.c.slot_id == any_(_IDS),
        BOOKINGS.c.status == BookingStatus.confirmed.value,
        BOOKINGS.c.starts_at > _NOW,
    )
    .order_by(BOOKINGS.c.starts_at, BOOKINGS.c.reference)
)
INSERT_CLOSURE = insert(CLOSURES).returning(*CLOSURES.c)
CLOSE_SLOTS = (
    update(SLOTS)
    .where(SLOTS.c.id == any_(_IDS))
    .values(closed=True, version=SLOTS.c.version + 1)
)
CANCEL_HIT = (
    update(BOOKINGS)
    .where(
        BOOKINGS.c.slot_id == any_(_IDS),
        BOOKINGS.c.status == BookingStatus.confirmed.value,
        BOOKINGS.c.starts_at > _NOW,
    )
    .values(
        status=BookingStatus.cancelled.value,
        cancelled_by_closure_id=bindparam("closure_id", type_=Integer()),
        updated_at=_NOW,
    )
    .returning(*BOOKINGS.c)
)
# the seats the closure's cancellations gave back, per slot and channel
_GIVEN_BACK = (
    select(
        BOOKINGS.c.slot_id,
        *(
            func.count().filter(BOOKINGS.c.channel == channel.value).label(channel.value)
            for channel in Channel
        ),
    )
    .where(BOOKINGS.c.cancelled_by_closure_id == bindparam("closure_id", type_=Integer()))
    .group_by(BOOKINGS.c.slot_id)
    .subquery("given_back")
)
GIVE_SEATS_BACK = (
    update(SLOTS)
    .where(SLOTS.c.id == _GIVEN_BACK.c.slot_id)
    .values(
        {
            f"booked_{channel.value}": SLOTS.c[f"booked_{channel.value}"]
            - _GIVEN_BACK.c[channel.value]
            for channel in Channel
        }
    )
)
CLOSURE = select(CLOSURES).where(CLOSURES.c.id == bindparam("id", type_=Integer()))
CLOSURES_OF = (
    select(CLOSURES)
    .where(
        optional_filter(CLOSURES.c.office_code, "office"),
        or_(_DAY.is_(None), CLOSURES.c.day == _DAY),
    )
    .order_by(CLOSURES.c.day, CLOSURES.c.office_code, CLOSURES.c.starts_at, CLOSURES.c.id)
)
CANCELLED_BY = (
    select(BOOKINGS)
    .where(BOOKINGS.c.cancelled_by_closure_id == bindparam("id", type_=Integer()))
    .order_by(BOOKINGS.c.starts_at, BOOKINGS.c.reference)
)
MARK_REOPENED = (
    update(CLOSURES)
    .where(
        CLOSURES.c.id == bindparam("closure_id", type_=Integer()),
        CLOSURES.c.reopened_at.is_(None),
    )
    .values(reopened_at=_NOW)
)
_OTHER = CLOSURES.alias("other")
OPEN_UNCOVERED = (
    update(SLOTS)
    .where(
        SLOTS.c.id == any_(_IDS),
        not_(
            exists().where(
                _OTHER.c.office_code == SLOTS.c.office_code,
                _OTHER.c.day == SLOTS.c.local_date,
                _OTHER.c.reopened_at.is_(None),
                or_(
                    _OTHER.c.starts_at.is_(None),
                    and_(
                        _OTHER.c.starts_at < SLOTS.c.ends_at,
                        _OTHER.c.ends_at > SLOTS.c.starts_at,
                    ),
                ),
            )
        ),
    )
    .values(closed=False, version=SLOTS.c.version + 1)
)


@dataclass(frozen=True)
class ClosurePlan:
    """What a closure does: ``closure`` is None for a preview; ``bookings`` are those it
    cancels (preview) or cancelled; ``slots`` how many slots it closes."""

    closure: Closure | None
    bookings: list[Booking]
    slots: int


@dataclass(frozen=True)
class _Range:
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None

    def params(self, *, office_code: str, day: dt.date) -> dict[str, object]:
        return {"office": office_code, "day": day, "start": self.starts_at, "end": self.ends_at}


class ClosureService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def _range(self, *, day: dt.date, start: dt.time | None, end: dt.time | None) -> _Range:
        if (start is None) != (end is None):
            raise InvalidRequest(
                "a part of a day has a start and an end",
                start=None if start is None else start.isoformat(),
                end=None if end is None else end.isoformat(),
            )
        if start is None or end is None:
            return _Range(None, None)
        if not start < end:
            raise InvalidRequest(
                "the start is before the end", start=start.isoformat(), end=end.isoformat()
            )
        zone = self._context.zone
        return _Range(
            dt.datetime.combine(day, start, tzinfo=zone),
            dt.datetime.combine(day, end, tzinfo=zone),
        )

    async def close_office(
        self,
        *,
        office_code: str,
        day: dt.date,
        start: dt.time | None = None,
        end: dt.time | None = None,
        reason: str,
        created_by: Role = Role.admin,
        preview: bool,
    ) -> ClosurePlan:
        """Close the office on ``day`` (``start``-``end`` local time: part of it), or with
        ``preview`` only say which bookings that would cancel. Refused when the period is
        over (``too-late``) or an active closure covers it already (``closure-exists``); one
        overlapping an active closure closes what that one left open (a whole day after a
        morning, say)."""
        window = self._range(day=day, start=start, end=end)
        now = self._context.clock.now()
        zone = self._context.zone
        period_end = window.ends_at or dt.datetime.combine(
            day + dt.timedelta(days=1), dt.time(0), tzinfo=zone
        )
        if period_end <= now:
            raise TooLate("the period to close is over", day=day.isoformat())
        params = window.params(office_code=office_code, day=day)
        async with self._context.database.transaction() as runner:
            if await runner.one_or_none(LOCK_OFFICE, {"office": office_code}) is None:
                raise OfficeNotFound("no such office", office=office_code)
            covering = await runner.scalar(COVERING, params)
            if covering is not None:
                raise ClosureExists(
                    "the office is already closed for this period",
                    office=office_code,
                    day=day.isoformat(),
                    closure_id=covering,
                )
            slot_rows = await runner.all(SLOTS_HIT if preview else LOCK_SLOTS_HIT, params)
            slot_ids = [row.id for row in slot_rows]
            if preview:
                rows = await runner.all(BOOKINGS_HIT, {"ids": slot_ids, "now": now})
                return ClosurePlan(None, [Booking(**row) for row in rows], len(slot_ids))
            closure = Closure(
                **await runner.one(
                    INSERT_CLOSURE,
                    {
                        "office_code": office_code,
                        "day": day,
                        "starts_at": window.starts_at,
                        "ends_at": window.ends_at,
                        "reason": reason,
                        "created_at": now,
                        "created_by": created_by.value,
                    },
                )
            )
            await runner.rowcount(CLOSE_SLOTS, {"ids": slot_ids})
            cancelled = await runner.all(
                CANCEL_HIT, {"ids": slot_ids, "now": now, "closure_id": closure.id}
            )
            await runner.rowcount(GIVE_SEATS_BACK, {"closure_id": closure.id})
        bookings = sorted((Booking(**row) for row in cancelled), key=_by_time)
        for booking in bookings:
            self._context.metrics.cancellations.labels(
                booking.office_code, booking.channel, booking.language
            ).inc()
        return ClosurePlan(closure, bookings, len(slot_ids))

    async def closures(
        self, *, office_code: str | None, day: dt.date | None = None
    ) -> list[Closure]:
        async with self._context.database.autocommit() as runner:
            rows = await runner.all(CLOSURES_OF, {"office": office_code, "day": day})
        return [Closure(**row) for row in rows]

    async def cancelled_by(self, *, closure_id: int) -> list[Booking]:
        """The bookings the closure cancelled."""
        async with self._context.database.autocommit() as runner:
            await _closure(runner, closure_id)
            rows = await runner.all(CANCELLED_BY, {"id": closure_id})
        return [Booking(**row) for row in rows]

    async def reopen(self, *, closure_id: int) -> Closure:
        """Open the closure's slots again (those no other active closure covers); the
        bookings it cancelled stay cancelled."""
        now = self._context.clock.now()
        async with self._context.database.transaction() as runner:
            closure = await _closure(runner, closure_id)
            await runner.one(LOCK_OFFICE, {"office": closure.office_code})
            if await runner.rowcount(MARK_REOPENED, {"closure_id": closure_id, "now": now}) != 1:
                raise ClosureNotFound("the closure is already reopened", closure_id=closure_id)
            window = _Range(closure.starts_at, closure.ends_at)
            params = window.params(office_code=closure.office_code, day=closure.day)
            slot_ids = [row.id for row in await runner.all(LOCK_SLOTS_HIT, params)]
            await runner.rowcount(OPEN_UNCOVERED, {"ids": slot_ids})
            closure.reopened_at = now
            return closure


def _by_time(booking: Booking) -> tuple[dt.datetime, str]:
    return booking.starts_at, booking.reference


async def _closure(runner: Runner, closure_id: int) -> Closure:
    row = await runner.one_or_none(CLOSURE, {"id": closure_id})
    if row is None:
        raise ClosureNotFound("no such closure", closure_id=closure_id)
    return Closure(**row)
