"""Admins: office closures (listing the bookings to rebook) and capacity templates."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Select, delete, select, update
from sqlalchemy.exc import IntegrityError

from api.calendar import on_grid, parse_hhmm
from api.errors import (
    CapacityTemplateNotFound,
    ClosureExists,
    ClosureNotFound,
    InvalidRequest,
)
from api.models import Booking, BookingStatus, CapacityTemplate, Closure, Slot
from api.services.catalog import check_offered, get_office
from api.services.context import ServiceContext


class AdminService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def close_office(
        self, *, office_code: str, day: dt.date, reason: str
    ) -> tuple[Closure, list[Booking]]:
        """Close an office on a day: its slots stop being offered; the day's confirmed
        bookings stay valid but are returned for the operators to rebook."""
        async with self._context.database.transaction() as session:
            await get_office(session, code=office_code)
            closure = Closure(
                office_code=office_code,
                day=day,
                reason=reason,
                created_at=self._context.clock.now(),
            )
            session.add(closure)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise ClosureExists(
                    "the office is already closed on this day", office=office_code, day=str(day)
                ) from exc
            await session.execute(
                update(Slot)
                .where(Slot.office_code == office_code, Slot.local_date == day)
                .values(closed=True)
            )
            return closure, list(
                (await session.scalars(_to_rebook(office_code=office_code, day=day))).all()
            )

    async def closures(self, *, office_code: str | None) -> list[Closure]:
        async with self._context.database.transaction() as session:
            statement = select(Closure).order_by(Closure.day, Closure.office_code)
            if office_code is not None:
                statement = statement.where(Closure.office_code == office_code)
            return list((await session.scalars(statement)).all())

    async def bookings_to_rebook(self, *, closure_id: int) -> list[Booking]:
        async with self._context.database.transaction() as session:
            closure = await session.get(Closure, closure_id)
            if closure is None:
                raise ClosureNotFound("no such closure", closure_id=closure_id)
            return list(
                (
                    await session.scalars(
                        _to_rebook(office_code=closure.office_code, day=closure.day)
                    )
                ).all()
            )

    async def reopen(self, *, closure_id: int) -> None:
        async with self._context.database.transaction() as session:
            closure = await session.get(Closure, closure_id)
            if closure is None:
                raise ClosureNotFound("no such closure", closure_id=closure_id)
            await session.execute(
                update(Slot)
                .where(Slot.office_code == closure.office_code, Slot.local_date == closure.day)
                .values(closed=False)
            )
            await session.delete(closure)

    async def capacity_templates(
        self, *, office_code: str | None, visit_type_code: str | None
    ) -> list[CapacityTemplate]:
        async with self._context.database.transaction() as session:
            statement = select(CapacityTemplate).order_by(
                CapacityTemplate.office_code,
                CapacityTemplate.visit_type_code,
                CapacityTemplate.weekday,
                CapacityTemplate.start_time,
            )
            if office_code is not None:
                statement = statement.where(CapacityTemplate.office_code == office_code)
            if visit_type_code is not None:
                statement = statement.where(CapacityTemplate.visit_type_code == visit_type_code)
            return list((await session.scalars(statement)).all())

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
        async with self._context.database.transaction() as session:
            await check_offered(session, office_code=office_code, visit_type_code=visit_type_code)
            template = CapacityTemplate(
                office_code=office_code,
                visit_type_code=visit_type_code,
                weekday=weekday,
                start_time=start_time,
                end_time=end_time,
                seats_phone=seats_phone,
                seats_operator=seats_operator,
                seats_counter=seats_counter,
            )
            session.add(template)
            await session.flush()
            return template

    async def delete_capacity_template(self, *, template_id: int) -> None:
        async with self._context.database.transaction() as session:
            result = await session.execute(
                delete(CapacityTemplate).where(CapacityTemplate.id == template_id)
            )
            if getattr(result, "rowcount", 0) != 1:
                raise CapacityTemplateNotFound("no such capacity template", template_id=template_id)


def _to_rebook(*, office_code: str, day: dt.date) -> Select[Booking]:
    return (
        select(Booking)
        .where(
            Booking.office_code == office_code,
            Booking.local_date == day,
            Booking.status == BookingStatus.confirmed,
        )
        .order_by(Booking.starts_at)
    )
