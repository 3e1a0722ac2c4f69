"""Writing the slots of the horizon from the capacity templates (``api.calendar`` rules).

Idempotent: slots that exist are left alone (their bookings and counts too), only missing ones
are inserted, in bulk. A changed template therefore shapes days not materialised yet.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from sqlalchemy import insert, select

from api.calendar import SeatRange, is_working_day, opening_of, parse_hhmm, slots_of_day
from api.models import CapacityTemplate, Closure, Office, OfficeVisitType, Slot, VisitType
from api.services.context import ServiceContext

INSERT_BATCH = 5000


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
        async with self._context.database.transaction() as session:
            offices = {o.code: o for o in (await session.scalars(select(Office))).all()}
            durations = {
                v.code: v.duration_minutes for v in (await session.scalars(select(VisitType))).all()
            }
            offers = (await session.scalars(select(OfficeVisitType))).all()
            ranges: dict[tuple[str, str, int], list[SeatRange]] = defaultdict(list)
            for template in (await session.scalars(select(CapacityTemplate))).all():
                ranges[(template.office_code, template.visit_type_code, template.weekday)].append(
                    SeatRange(
                        start=parse_hhmm(template.start_time),
                        end=parse_hhmm(template.end_time),
                        seats_phone=template.seats_phone,
                        seats_operator=template.seats_operator,
                        seats_counter=template.seats_counter,
                    )
                )
            closed = {
                (c.office_code, c.day)
                for c in (
                    await session.scalars(
                        select(Closure).where(Closure.day >= start, Closure.day <= last)
                    )
                ).all()
            }
            existing_rows = await session.execute(
                select(Slot.office_code, Slot.visit_type_code, Slot.starts_at).where(
                    Slot.local_date >= start, Slot.local_date <= last
                )
            )
            existing: set[tuple[str, str, dt.datetime]] = {
                (office_code, visit_code, starts_at)
                for office_code, visit_code, starts_at in existing_rows.all()
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
                                "closed": False,
                                "version": 0,
                            }
                        )
                if len(rows) >= INSERT_BATCH:
                    await session.execute(insert(Slot), rows)
                    created += len(rows)
                    rows = []
            if rows:
                await session.execute(insert(Slot), rows)
                created += len(rows)
        return created
