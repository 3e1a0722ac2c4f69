"""Offices and visit types, read-only for callers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.errors import OfficeNotFound, VisitTypeNotFound
from api.models import Office, OfficeVisitType, VisitType
from api.services.context import ServiceContext


async def get_office(session: AsyncSession, *, code: str) -> Office:
    office = await session.get(Office, code)
    if office is None:
        raise OfficeNotFound("no such office", office=code)
    return office


async def check_offered(session: AsyncSession, *, office_code: str, visit_type_code: str) -> None:
    """Raise unless the office exists and offers the visit type (one query)."""
    row = (
        await session.execute(
            select(Office.code, OfficeVisitType.visit_type_code)
            .outerjoin(
                OfficeVisitType,
                (OfficeVisitType.office_code == Office.code)
                & (OfficeVisitType.visit_type_code == visit_type_code),
            )
            .where(Office.code == office_code)
        )
    ).first()
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
        async with self._context.database.transaction() as session:
            rows = await session.execute(select(Office).order_by(Office.menu_order))
            return list(rows.scalars().all())

    async def visit_types(self, *, office_code: str | None = None) -> list[VisitType]:
        async with self._context.database.transaction() as session:
            statement = select(VisitType).order_by(VisitType.menu_order)
            if office_code is not None:
                await get_office(session, code=office_code)
                statement = statement.join(
                    OfficeVisitType, OfficeVisitType.visit_type_code == VisitType.code
                ).where(OfficeVisitType.office_code == office_code)
            return list((await session.execute(statement)).scalars().all())
