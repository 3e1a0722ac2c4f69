"""Offices and visit types, read-only for callers."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, select

from api.errors import OfficeNotFound, VisitTypeNotFound
from api.models import Office, OfficeVisitType, VisitType
from api.services.context import ServiceContext
from api.statements import Runner

OFFICES = cast(Table, Office.__table__)
VISIT_TYPES = cast(Table, VisitType.__table__)
OFFERS = cast(Table, OfficeVisitType.__table__)

ALL_OFFICES = select(OFFICES).order_by(OFFICES.c.menu_order)
OFFICE = select(OFFICES).where(OFFICES.c.code == bindparam("code"))
ALL_VISIT_TYPES = select(VISIT_TYPES).order_by(VISIT_TYPES.c.menu_order)
VISIT_TYPES_OF_OFFICE = (
    select(VISIT_TYPES)
    .join(OFFERS, OFFERS.c.visit_type_code == VISIT_TYPES.c.code)
    .where(OFFERS.c.office_code == bindparam("office"))
    .order_by(VISIT_TYPES.c.menu_order)
)
# the office, and the visit type if the office offers it (one statement)
OFFERED = (
    select(OFFICES.c.code, OFFERS.c.visit_type_code)
    .outerjoin(
        OFFERS,
        (OFFERS.c.office_code == OFFICES.c.code)
        & (OFFERS.c.visit_type_code == bindparam("visit_type")),
    )
    .where(OFFICES.c.code == bindparam("office"))
)


async def get_office(runner: Runner, *, code: str) -> Office:
    row = await runner.one_or_none(OFFICE, {"code": code})
    if row is None:
        raise OfficeNotFound("no such office", office=code)
    return Office(**row)


async def check_offered(runner: Runner, *, office_code: str, visit_type_code: str) -> None:
    """Raise unless the office exists and offers the visit type."""
    row = await runner.one_or_none(
        OFFERED, {"office": office_code, "visit_type": visit_type_code}
    )
    if row is None:
        raise OfficeNotFound("no such office", office=office_code)
    if row.visit_type_code is None:
        raise VisitTypeNotFound(
            "the office does not offer this visit type",
            office=office_code,
            visit_type=visit_type_code,
        )


class CatalogService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def offices(self) -> list[Office]:
        async with self._context.database.autocommit() as runner:
            return [Office(**row) for row in await runner.all(ALL_OFFICES)]

    async def visit_types(self, *, office_code: str | None = None) -> list[VisitType]:
        async with self._context.database.autocommit() as runner:
            if office_code is None:
                rows = await runner.all(ALL_VISIT_TYPES)
            else:
                await get_office(runner, code=office_code)
                rows = await runner.all(VISIT_TYPES_OF_OFFICE, {"office": office_code})
            return [VisitType(**row) for row in rows]
