"""Writing the slots of the horizon from the capacity templates (``api.calendar`` rules).

Idempotent: slots that exist are left alone (their bookings and counts too), only missing ones
are inserted, in bulk. A changed template therefore shapes days not materialised yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import cast

from sqlalchemy import Table, bindparam, insert, select

from api.calendar import SeatRange, is_working_day, opening_of, parse_hhmm, slots_of_day
from api.models import CapacityTemplate, Closure, Office, OfficeVisitType, Slot, VisitType
from api.services.context import ServiceContext

INSERT_BATCH = 5000
SLOTS = cast(Table, Slot.__table__)
CLOSURES = cast(Table, Closure.__table__)
OFFICES = select(cast(Table, Office.__table__))
VISIT_TYPES = select(cast(Table, VisitType.__table__))
OFFERS = select(cast(Table, OfficeVisitType.__table__))
TEMPLATES = select(cast(Table, CapacityTemplate.__table__))
ACTIVE_CLOSURES = select(
    CLOSURES.c.office_code, CLOSURES.c.day, CLOSURES.c.starts_at, CLOSURES.c.ends_at
).where(
    CLOSURES.c.day >= bindparam("first"),
    CLOSURES.c.day <= bindparam("last"),
    CLOSURES.c.reopened_at.is_(None),
)
EXISTING = select(SLOTS.c.office_code, SLOTS.c.visit_type_code, SLOTS.c.starts_at).where(
    SLOTS.c.local_date >= bindparam("first"), SLOTS.c.local_date <= bindparam("last")
)
INSERT_SLOT = insert(SLOTS)


class MaterialiseService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def materialise(
        self,
        *,
        first_day: dt.date | None = None,
        days: int | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Insert the missing slots for ``days`` days from ``first_day``; return how many."""
        zone = self._context.zone
        start = first_day or self._context.clock.now().astimezone(zone).date()
        count = days if days is not None else self._context.settings.horizon_days
        last = start + dt.timedelta(days=count - 1)
        created = 0
        days_range = {"first": start, "last": last}
        async with self._context.database.transaction() as runner:
            offices = {o.code: o for o in await runner.all(OFFICES)}
            durations = {v.code: v.duration_minutes for v in await runner.all(VISIT_TYPES)}
            offers = await runner.all(OFFERS)
            ranges: dict[tuple[str, str, int], list[SeatRange]] = defaultdict(list)
            for template in await runner.all(TEMPLATES):
                ranges[(template.office_code, template.visit_type_code, template.weekday)].append(
                    SeatRange(
                        start=parse_hhmm(template.start_time),
                        end=parse_hhmm(template.end_time),
                        seats_phone=template.seats_phone,
                        seats_operator=template.seats_operator,
                        seats_counter=template.seats_counter,
                    )
                )
            # whole days closed get no slots; slots in a closed part of a day are born closed
            closed: set[tuple[str, dt.date]] = set()
            closed_parts: dict[tuple[str, dt.date], list[tuple[dt.datetime, dt.datetime]]] = (
                defaultdict(list)
            )
            for closure in await runner.all(ACTIVE_CLOSURES, days_range):
                if closure.starts_at is None:
                    closed.add((closure.office_code, closure.day))
                else:
                    closed_parts[(closure.office_code, closure.day)].append(
                        (closure.starts_at, closure.ends_at)
                    )
            existing: set[tuple[str, str, dt.datetime]] = {
                (office_code, visit_code, starts_at)
                for office_code, visit_code, starts_at in await runner.all(EXISTING, days_range)
            }
            rows: list[dict[str, object]] = []
            for index in range(count):
                day = start + dt.timedelta(days=index)
                if progress is not None:
                    progress(index + 1, count)
                if not is_working_day(day):
                    continue
                for offer in offers:
                    office = offices[offer.office_code]
                    if not office.active or (office.code, day) in closed:
                        continue
                    for planned in slots_of_day(
                        day=day,
                        ranges=sorted(
                            ranges.get((office.code, offer.visit_type_code, day.weekday()), []),
                            key=lambda r: r.start,
                        ),
                        duration_minutes=durations[offer.visit_type_code],
                        opening=opening_of(office.opening_hours, day),
                        zone=zone,
                    ):
                        key = (office.code, offer.visit_type_code, planned.starts_at)
                        if key in existing:
                            continue
                        existing.add(key)
                        rows.append(
                            {
                                "office_code": office.code,
                                "visit_type_code": offer.visit_type_code,
                                "local_date": planned.local_date,
                                "starts_at": planned.starts_at,
                                "ends_at": planned.ends_at,
                                "seats_phone": planned.seats_phone,
                                "seats_operator": planned.seats_operator,
                                "seats_counter": planned.seats_counter,
                                "booked_phone": 0,
                                "booked_operator": 0,
                                "booked_counter": 0,
                                "closed": any(
                                    start < planned.ends_at and planned.starts_at < end
                                    for start, end in closed_parts.get((office.code, day), ())
                                ),
                                "version": 0,
                            }
                        )
                if len(rows) >= INSERT_BATCH:
                    await runner.execute_many(INSERT_SLOT, rows)
                    created += len(rows)
                    rows = []
            if rows:
                await runner.execute_many(INSERT_SLOT, rows)
                created += len(rows)
        return created
