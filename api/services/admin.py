"""Admins: capacity templates (closures: ``api.services.closures``).

A template shapes the days materialised after it changes; changing a template's seats also
changes the slots it already shaped that have not started (same office, visit type, weekday
and local start time within its range), so the desk's change is seen at once. A change that
would leave such a slot fewer seats than it has taken (booked plus live holds) is refused as a
whole (``capacity-below-booked``, listing the slots). The slots are locked ascending by id
(``FOR NO KEY UPDATE``, the lock order of the bookings), and their taken seats are read after
the lock, in the next statement, so a concurrent booking is either counted or waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    Table,
    any_,
    bindparam,
    delete,
    func,
    insert,
    select,
    true,
    update,
)

from api.calendar import on_grid, parse_hhmm
from api.errors import CapacityBelowBooked, CapacityTemplateNotFound, InvalidRequest
from api.models import TIMESTAMPTZ, CapacityTemplate, Slot
from api.services.catalog import check_offered
from api.services.context import ServiceContext
from api.statements import optional_filter

TEMPLATES = cast(Table, CapacityTemplate.__table__)
SLOTS = cast(Table, Slot.__table__)
_NOW = bindparam("now", type_=TIMESTAMPTZ)
_IDS = bindparam("ids", type_=ARRAY(Integer()))
_LOCAL_START = func.timezone(bindparam("zone", type_=String()), SLOTS.c.starts_at)


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
LOCK_TEMPLATE = (
    select(TEMPLATES).where(TEMPLATES.c.id == bindparam("id", type_=Integer())).with_for_update()
)
# the slots a template shaped that have not started, ascending id: the lock order
LOCK_SHAPED_SLOTS = (
    select(SLOTS.c.id)
    .where(
        SLOTS.c.office_code == bindparam("office"),
        SLOTS.c.visit_type_code == bindparam("visit_type"),
        SLOTS.c.starts_at > _NOW,
        func.extract("isodow", _LOCAL_START) - 1 == bindparam("weekday", type_=Integer()),
        func.to_char(_LOCAL_START, "HH24:MI") >= bindparam("start"),
        func.to_char(_LOCAL_START, "HH24:MI") < bindparam("end"),
    )
    .order_by(SLOTS.c.id)
    .with_for_update(key_share=True)
)
_LIVE = func.slot_service_live_holds(SLOTS.c.id, _NOW).table_valued(
    "phone", "operator", "counter"
).lateral("live")
TAKEN = (
    select(
        SLOTS.c.id,
        SLOTS.c.starts_at,
        (SLOTS.c.booked_phone + SLOTS.c.booked_operator + SLOTS.c.booked_counter).label("booked"),
        (_LIVE.c.phone + _LIVE.c.operator + _LIVE.c.counter).label("held"),
    )
    .select_from(SLOTS.join(_LIVE, true()))
    .where(SLOTS.c.id == any_(_IDS))
    .order_by(SLOTS.c.starts_at)
)
CHANGE_TEMPLATE = (
    update(TEMPLATES)
    .where(TEMPLATES.c.id == bindparam("template_id", type_=Integer()))
    .values(
        seats_phone=bindparam("phone", type_=Integer()),
        seats_operator=bindparam("operator", type_=Integer()),
        seats_counter=bindparam("counter", type_=Integer()),
    )
    .returning(*TEMPLATES.c)
)
CHANGE_SLOTS = (
    update(SLOTS)
    .where(SLOTS.c.id == any_(_IDS))
    .values(
        seats_phone=bindparam("phone", type_=Integer()),
        seats_operator=bindparam("operator", type_=Integer()),
        seats_counter=bindparam("counter", type_=Integer()),
        version=SLOTS.c.version + 1,
    )
)
SHOWN_REFUSED_SLOTS = 20


@dataclass(frozen=True)
class CapacityChange:
    template: CapacityTemplate
    slots_changed: int


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

    async def change_capacity_template(
        self, *, template_id: int, seats_phone: int, seats_operator: int, seats_counter: int
    ) -> CapacityChange:
        """Set the template's seats and those of the slots it shaped that have not started;
        refused (``capacity-below-booked``) if any would have fewer seats than taken."""
        now = self._context.clock.now()
        seats = {"phone": seats_phone, "operator": seats_operator, "counter": seats_counter}
        total = seats_phone + seats_operator + seats_counter
        async with self._context.database.transaction() as runner:
            row = await runner.one_or_none(LOCK_TEMPLATE, {"id": template_id})
            if row is None:
                raise CapacityTemplateNotFound("no such capacity template", template_id=template_id)
            template = CapacityTemplate(**row)
            shaped = await runner.all(
                LOCK_SHAPED_SLOTS,
                {
                    "office": template.office_code,
                    "visit_type": template.visit_type_code,
                    "now": now,
                    "zone": self._context.settings.timezone,
                    "weekday": template.weekday,
                    "start": template.start_time,
                    "end": template.end_time,
                },
            )
            slot_ids = [slot.id for slot in shaped]
            taken = await runner.all(TAKEN, {"ids": slot_ids, "now": now})
            short = [slot for slot in taken if slot.booked + slot.held > total]
            if short:
                zone = self._context.zone
                raise CapacityBelowBooked(
                    f"{len(short)} slot(s) already have more seats taken than {total}",
                    seats=total,
                    slots=[
                        {
                            "slot_id": slot.id,
                            "starts_at": slot.starts_at.astimezone(zone).isoformat(),
                            "taken": slot.booked + slot.held,
                        }
                        for slot in short[:SHOWN_REFUSED_SLOTS]
                    ],
                    slot_count=len(short),
                )
            changed = CapacityTemplate(
                **await runner.one(CHANGE_TEMPLATE, {"template_id": template_id, **seats})
            )
            await runner.rowcount(CHANGE_SLOTS, {"ids": slot_ids, **seats})
        return CapacityChange(template=changed, slots_changed=len(slot_ids))
