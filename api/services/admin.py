"""Admins: office closures (listing the bookings to rebook) and capacity templates."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import Integer, Table, bindparam, delete, insert, select, update

from api.calendar import on_grid, parse_hhmm
from api.errors import (
    CapacityTemplateNotFound,
    ClosureExists,
    ClosureNotFound,
    InvalidRequest,
    UniqueViolation,
)
from api.models import (
    CLOSURE_OFFICE_DAY,
    Booking,
    BookingStatus,
    CapacityTemplate,
    Closure,
    Slot,
)
from api.services.catalog import check_offered, get_office
from api.services.context import ServiceContext
from api.statements import Runner, optional_filter

CLOSURES = cast(Table, Closure.__table__)
TEMPLATES = cast(Table, CapacityTemplate.__table__)
BOOKINGS = cast(Table, Booking.__table__)
SLOTS = cast(Table, Slot.__table__)


INSERT_CLOSURE = insert(CLOSURES).returning(*CLOSURES.c)
CLOSURE = select(CLOSURES).where(CLOSURES.c.id == bindparam("id", type_=Integer()))
DELETE_CLOSURE = delete(CLOSURES).where(CLOSURES.c.id == bindparam("id", type_=Integer()))
CLOSURES_OF = (
    select(CLOSURES)
    .where(optional_filter(CLOSURES.c.office_code, "office"))
    .order_by(CLOSURES.c.day, CLOSURES.c.office_code)
)
SET_DAY_CLOSED = (
    update(SLOTS)
    .where(SLOTS.c.office_code == bindparam("office"), SLOTS.c.local_date == bindparam("day"))
    .values(closed=bindparam("is_closed"))
)
TO_REBOOK = (
    select(BOOKINGS)
    .where(
        BOOKINGS.c.office_code == bindparam("office"),
        BOOKINGS.c.local_date == bindparam("day"),
        BOOKINGS.c.status == BookingStatus.confirmed.value,
    )
    .order_by(BOOKINGS.c.starts_at)
)
TEMPLATES_OF = (
    select(TEMPLATES)
    .where(
        optional_filter(TEMPLATES.c.office_code, "office"),
        optional_filter(TEMPLATES.c.visit_type_code, "visit_type"),
    )
    .order_by(
        TEMPLATES.c.office_code,
        TEMPLATES.c.visit_type_code,
        TEMPLATES.c.weekday,
        TEMPLATES.c.start_time,
    )
)
INSERT_TEMPLATE = insert(TEMPLATES).returning(*TEMPLATES.c)
DELETE_TEMPLATE = delete(TEMPLATES).where(TEMPLATES.c.id == bindparam("id", type_=Integer()))


async def _to_rebook(runner: Runner, *, office_code: str, day: dt.date) -> list[Booking]:
    rows = await runner.all(TO_REBOOK, {"office": office_code, "day": day})
    return [Booking(**row) for row in rows]


async def _closure(runner: Runner, closure_id: int) -> Closure:
    row = await runner.one_or_none(CLOSURE, {"id": closure_id})
    if row is None:
        raise ClosureNotFound("no such closure", closure_id=closure_id)
    return Closure(**row)


class AdminService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def close_office(
        self, *, office_code: str, day: dt.date, reason: str
    ) -> tuple[Closure, list[Booking]]:
        """Close an office on a day: its slots stop being offered; the day's confirmed
        bookings stay valid but are returned for the operators to rebook."""
        async with self._context.database.transaction() as runner:
            await get_office(runner, code=office_code)
            values = {
                "office_code": office_code,
                "day": day,
                "reason": reason,
                "created_at": self._context.clock.now(),
            }
            try:
                closure = Closure(**await runner.one(INSERT_CLOSURE, values))
            except UniqueViolation as exc:
                if exc.constraint != CLOSURE_OFFICE_DAY:
                    raise
                raise ClosureExists(
                    "the office is already closed on this day", office=office_code, day=str(day)
                ) from exc
            await runner.rowcount(
                SET_DAY_CLOSED, {"office": office_code, "day": day, "is_closed": True}
            )
            return closure, await _to_rebook(runner, office_code=office_code, day=day)

    async def closures(self, *, office_code: str | None) -> list[Closure]:
        async with self._context.database.autocommit() as runner:
            rows = await runner.all(CLOSURES_OF, {"office": office_code})
        return [Closure(**row) for row in rows]

    async def bookings_to_rebook(self, *, closure_id: int) -> list[Booking]:
        async with self._context.database.autocommit() as runner:
            closure = await _closure(runner, closure_id)
            return await _to_rebook(runner, office_code=closure.office_code, day=closure.day)

    async def reopen(self, *, closure_id: int) -> None:
        async with self._context.database.transaction() as runner:
            closure = await _closure(runner, closure_id)
            await runner.rowcount(
                SET_DAY_CLOSED,
                {"office": closure.office_code, "day": closure.day, "is_closed": False},
            )
            await runner.rowcount(DELETE_CLOSURE, {"id": closure_id})

    async def capacity_templates(
        self, *, office_code: str | None, visit_type_code: str | None
    ) -> list[CapacityTemplate]:
        async with self._context.database.autocommit() as runner:
            rows = await runner.all(
                TEMPLATES_OF, {"office": office_code, "visit_type": visit_type_code}
            )
        return [CapacityTemplate(**row) for row in rows]

    async def add_capacity_template(
        self,
        *,
        office_code: str,
        visit_type_code: str,
        weekday: int,
        start_time: str,
        end_time: str,
        seats_phone: int,
        seats_operator: int,
        seats_counter: int,
    ) -> CapacityTemplate:
        start, end = parse_hhmm(start_time), parse_hhmm(end_time)
        if not (on_grid(start) and on_grid(end) and start < end):
            raise InvalidRequest(
                "start and end are on the 5-minute grid and start is before end",
                start=start_time,
                end=end_time,
            )
        async with self._context.database.transaction() as runner:
            await check_offered(runner, office_code=office_code, visit_type_code=visit_type_code)
            row = await runner.one(
                INSERT_TEMPLATE,
                {
                    "office_code": office_code,
                    "visit_type_code": visit_type_code,
                    "weekday": weekday,
                    "start_time": start_time,
                    "end_time": end_time,
                    "seats_phone": seats_phone,
                    "seats_operator": seats_operator,
                    "seats_counter": seats_counter,
                },
            )
        return CapacityTemplate(**row)

    async def delete_capacity_template(self, *, template_id: int) -> None:
        async with self._context.database.autocommit() as runner:
            if await runner.rowcount(DELETE_TEMPLATE, {"id": template_id}) != 1:
                raise CapacityTemplateNotFound("no such capacity template", template_id=template_id)
