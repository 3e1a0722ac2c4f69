"""Loading the seed file (offices, visit types, capacity) into the database, idempotently.

The TOML file is validated by pydantic models before anything is written. Offices and visit
types are upserted by code (``INSERT … ON CONFLICT DO UPDATE``); capacity templates are
written only for an office and visit type that has none yet, so an admin's later changes
survive a second ``slot-service seed``. One transaction: all or nothing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import Insert, insert

from api.calendar import on_grid, parse_hhmm
from api.db import Database
from api.models import CapacityTemplate, Office, OfficeVisitType, VisitType

LANGUAGES = ("cs", "en", "uk", "ru", "vi")


class Names(BaseModel):
    cs: str
    en: str
    uk: str
    ru: str
    vi: str


class SeedOffice(BaseModel):
    code: str
    region: str
    menu_order: int
    address: str
    names: Names
    opening_hours: dict[str, list[str]]
    visit_types: list[str]
    active: bool = True


class SeedVisitType(BaseModel):
    code: str
    menu_order: int
    duration_minutes: int = Field(gt=0)
    names: Names

    @field_validator("duration_minutes")
    @classmethod
    def _on_grid(cls, value: int) -> int:
        if value % 5:
            raise ValueError("durations are multiples of 5 minutes")
        return value


class Seats(BaseModel):
    phone: int = Field(ge=0)
    operator: int = Field(ge=0)
    counter: int = Field(ge=0)


class SeedCapacity(BaseModel):
    offices: list[str]
    visit_types: list[str]
    weekdays: list[int]
    start: str
    end: str
    seats: Seats

    @model_validator(mode="after")
    def _times(self) -> SeedCapacity:
        start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        if not (on_grid(start) and on_grid(end) and start < end):
            raise ValueError("capacity ranges start and end on the 5-minute grid, start < end")
        if any(day not in range(7) for day in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) to 6")
        return self


class SeedFile(BaseModel):
    offices: list[SeedOffice]
    visit_types: list[SeedVisitType]
    capacity: list[SeedCapacity]

    @model_validator(mode="after")
    def _references(self) -> SeedFile:
        known = {visit.code for visit in self.visit_types}
        for office in self.offices:
            unknown = set(office.visit_types) - known
            if unknown:
                raise ValueError(f"office {office.code} offers unknown visit types {unknown}")
        return self

    def template_rows(self) -> list[dict[str, Any]]:
        """The capacity templates' rows, one per office, visit type and weekday."""
        offers = {office.code: set(office.visit_types) for office in self.offices}
        rows: list[dict[str, Any]] = []
        for entry in self.capacity:
            offices = list(offers) if entry.offices == ["*"] else entry.offices
            for office_code in offices:
                wanted = offers[office_code] if entry.visit_types == ["*"] else entry.visit_types
                for visit_code in sorted(set(wanted) & offers[office_code]):
                    for weekday in entry.weekdays:
                        rows.append(
                            {
                                "office_code": office_code,
                                "visit_type_code": visit_code,
                                "weekday": weekday,
                                "start_time": entry.start,
                                "end_time": entry.end,
                                "seats_phone": entry.seats.phone,
                                "seats_operator": entry.seats.operator,
                                "seats_counter": entry.seats.counter,
                            }
                        )
        return rows


def load_seed_file(path: Path) -> SeedFile:
    with path.open("rb") as handle:
        return SeedFile.model_validate(tomllib.load(handle))


def _upsert(table: Table) -> Insert:
    """Insert a row, or update every column of the row with the same primary key."""
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=[column.name for column in table.primary_key],
        set_={column.name: statement.excluded[column.name] for column in table.columns},
    )


OFFICES = cast(Table, Office.__table__)
VISIT_TYPES = cast(Table, VisitType.__table__)
OFFERS = cast(Table, OfficeVisitType.__table__)
TEMPLATES = cast(Table, CapacityTemplate.__table__)
UPSERT_OFFICE = _upsert(OFFICES)
UPSERT_VISIT_TYPE = _upsert(VISIT_TYPES)
ADD_OFFER = insert(OFFERS).on_conflict_do_nothing()
TEMPLATED = select(TEMPLATES.c.office_code, TEMPLATES.c.visit_type_code).distinct()
INSERT_TEMPLATE = insert(TEMPLATES)


async def apply_seed(*, database: Database, seed: SeedFile) -> None:
    async with database.transaction() as runner:
        await runner.execute_many(
            UPSERT_VISIT_TYPE,
            [
                {
                    "code": visit.code,
                    "menu_order": visit.menu_order,
                    "names": visit.names.model_dump(),
                    "duration_minutes": visit.duration_minutes,
                }
                for visit in seed.visit_types
            ],
        )
        await runner.execute_many(
            UPSERT_OFFICE,
            [
                {
                    "code": office.code,
                    "region": office.region,
                    "menu_order": office.menu_order,
                    "address": office.address,
                    "names": office.names.model_dump(),
                    "opening_hours": office.opening_hours,
                    "active": office.active,
                }
                for office in seed.offices
            ],
        )
        await runner.execute_many(
            ADD_OFFER,
            [
                {"office_code": office.code, "visit_type_code": visit_code}
                for office in seed.offices
                for visit_code in office.visit_types
            ],
        )
        templated = {(row.office_code, row.visit_type_code) for row in await runner.all(TEMPLATED)}
        await runner.execute_many(
            INSERT_TEMPLATE,
            [
                row
                for row in seed.template_rows()
                if (row["office_code"], row["visit_type_code"]) not in templated
            ],
        )
