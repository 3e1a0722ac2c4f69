"""Admins: capacity templates (closures: ``api.services.closures``)."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Integer, Table, bindparam, delete, insert, select

from api.calendar import on_grid, parse_hhmm
from api.errors import CapacityTemplateNotFound, InvalidRequest
from api.models import CapacityTemplate
from api.services.catalog import check_offered
from api.services.context import ServiceContext
from api.statements import optional_filter

TEMPLATES = cast(Table, CapacityTemplate.__table__)


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


class AdminService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

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
