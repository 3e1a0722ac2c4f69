"""Routes for operators (day lists, attendance, booking for a caller) and admins (closures,
capacity templates, materialising slots)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from api.calendar import parse_hhmm
from api.models import BookingStatus
from api.routes.convert import booking_out, closure_out, template_out
from api.routes.deps import AdminDep, ServicesDep, StaffDep
from api.schemas import (
    MAX_ROW_ID,
    AttendanceIn,
    BookingOut,
    CapacityChangeIn,
    CapacityChangeOut,
    CapacityTemplateIn,
    CapacityTemplateOut,
    ClosureCreatedOut,
    ClosureIn,
    ClosureOut,
    ClosurePeriodIn,
    ClosurePreviewOut,
    MaterialiseOut,
    NoShowRateOut,
    NoShowRatesOut,
    OperatorBookingIn,
)
from api.services.bookings import Identity
from api.services.desk import NoShowRate

operator_router = APIRouter(prefix="/operator", tags=["operator"])
admin_router = APIRouter(prefix="/admin", tags=["admin"])
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]
PathRowId = Annotated[int, Path(ge=1, le=MAX_ROW_ID)]


@operator_router.get("/offices/{code}/bookings", response_model=list[BookingOut])
async def day_bookings(
    code: str, day: dt.date, services: ServicesDep, _: StaffDep
) -> list[BookingOut]:
    zone = services.context.zone
    found = await services.bookings.day_list(office_code=code, day=day)
    return [booking_out(booking, zone) for booking in found]


@operator_router.post("/bookings/{reference}/attendance", response_model=BookingOut)
async def mark_attendance(
    reference: str, body: AttendanceIn, services: ServicesDep, _: StaffDep
) -> BookingOut:
    booking = await services.bookings.mark_attendance(
        reference=reference, status=BookingStatus(body.status)
    )
    return booking_out(booking, services.context.zone)


@operator_router.post("/bookings", status_code=status.HTTP_201_CREATED, response_model=BookingOut)
async def book_for_caller(
    body: OperatorBookingIn,
    request: Request,
    services: ServicesDep,
    _: StaffDep,
    idempotency_key: IdempotencyKey = None,
) -> BookingOut:
    """Book a slot for a caller on the phone with an operator (channel operator)."""
    request.state.language = body.language
    booking = await services.bookings.book_for_caller(
        slot_id=body.slot_id,
        caller_number=body.caller_number,
        language=body.language,
        identity=Identity(passport_digits=body.passport_digits, birth_date=body.birth_date),
        idempotency_key=idempotency_key,
    )
    return booking_out(booking, services.context.zone)


def _period(body: ClosurePeriodIn) -> dict[str, Any]:
    return {
        "office_code": body.office,
        "day": body.date,
        "start": None if body.start is None else parse_hhmm(body.start),
        "end": None if body.end is None else parse_hhmm(body.end),
    }


@admin_router.post("/closures/preview", response_model=ClosurePreviewOut)
async def preview_closure(
    body: ClosurePeriodIn, services: ServicesDep, _: AdminDep
) -> ClosurePreviewOut:
    """The bookings a closure of this period would cancel; nothing changes."""
    plan = await services.closures.close_office(**_period(body), reason="", preview=True)
    zone = services.context.zone
    return ClosurePreviewOut(
        bookings_to_cancel=[booking_out(booking, zone) for booking in plan.bookings],
        slots_to_close=plan.slots,
    )


@admin_router.post(
    "/closures", status_code=status.HTTP_201_CREATED, response_model=ClosureCreatedOut
)
async def close_office(
    body: ClosureIn, services: ServicesDep, principal: AdminDep
) -> ClosureCreatedOut:
    """Close the period: its slots close, its confirmed bookings are cancelled (each names
    the closure, whose callers are owed a notice)."""
    plan = await services.closures.close_office(
        **_period(body), reason=body.reason, created_by=principal.role, preview=False
    )
    assert plan.closure is not None
    zone = services.context.zone
    return ClosureCreatedOut(
        **closure_out(plan.closure, zone).model_dump(),
        bookings_cancelled=[booking_out(booking, zone) for booking in plan.bookings],
        slots_closed=plan.slots,
    )


@admin_router.get("/closures", response_model=list[ClosureOut])
async def list_closures(
    services: ServicesDep,
    _: AdminDep,
    office: str | None = None,
    day: dt.date | None = None,
) -> list[ClosureOut]:
    found = await services.closures.closures(office_code=office, day=day)
    return [closure_out(closure, services.context.zone) for closure in found]


@admin_router.get("/closures/{closure_id}/bookings", response_model=list[BookingOut])
async def closure_bookings(
    closure_id: PathRowId, services: ServicesDep, _: AdminDep
) -> list[BookingOut]:
    """The bookings the closure cancelled."""
    zone = services.context.zone
    found = await services.closures.cancelled_by(closure_id=closure_id)
    return [booking_out(booking, zone) for booking in found]


@admin_router.delete("/closures/{closure_id}", response_model=ClosureOut)
async def reopen(closure_id: PathRowId, services: ServicesDep, _: AdminDep) -> ClosureOut:
    """Reopen: the slots open again; the bookings it cancelled stay cancelled."""
    closure = await services.closures.reopen(closure_id=closure_id)
    return closure_out(closure, services.context.zone)


@admin_router.get("/capacity-templates", response_model=list[CapacityTemplateOut])
async def list_templates(
    services: ServicesDep,
    _: AdminDep,
    office: str | None = None,
    visit_type: str | None = None,
) -> list[CapacityTemplateOut]:
    found = await services.admin.capacity_templates(office_code=office, visit_type_code=visit_type)
    return [template_out(template) for template in found]


@admin_router.post(
    "/capacity-templates",
    status_code=status.HTTP_201_CREATED,
    response_model=CapacityTemplateOut,
)
async def add_template(
    body: CapacityTemplateIn, services: ServicesDep, _: AdminDep
) -> CapacityTemplateOut:
    template = await services.admin.add_capacity_template(
        office_code=body.office,
        visit_type_code=body.visit_type,
        weekday=body.weekday,
        start_time=body.start,
        end_time=body.end,
        seats_phone=body.seats.phone,
        seats_operator=body.seats.operator,
        seats_counter=body.seats.counter,
    )
    return template_out(template)


@admin_router.put("/capacity-templates/{template_id}", response_model=CapacityChangeOut)
async def change_template(
    template_id: PathRowId, body: CapacityChangeIn, services: ServicesDep, _: AdminDep
) -> CapacityChangeOut:
    """Change the template's seats and those of the slots it shaped that have not started;
    409 ``capacity-below-booked`` if a slot would have fewer seats than it has taken."""
    change = await services.admin.change_capacity_template(
        template_id=template_id,
        seats_phone=body.seats.phone,
        seats_operator=body.seats.operator,
        seats_counter=body.seats.counter,
    )
    return CapacityChangeOut(
        template=template_out(change.template), slots_changed=change.slots_changed
    )


@admin_router.get("/no-show-rates", response_model=NoShowRatesOut)
async def no_show_rates(
    services: ServicesDep, _: AdminDep, days: Annotated[int | None, Query(ge=1, le=800)] = None
) -> NoShowRatesOut:
    """No-shows per caller number and identity over the last ``days`` days (default: the
    booking policy's identity window, 60): input for the anti-scalping limits."""
    rates = await services.desk.no_show_rates(days=days)

    def out(rate: NoShowRate) -> NoShowRateOut:
        return NoShowRateOut(
            key=rate.key, visits=rate.visits, no_shows=rate.no_shows, rate=round(rate.rate, 3)
        )

    return NoShowRatesOut(
        since=rates.since,
        until=rates.until,
        by_caller_number=[out(rate) for rate in rates.by_caller_number],
        by_identity=[out(rate) for rate in rates.by_identity],
    )


@admin_router.delete("/capacity-templates/{template_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_template(template_id: PathRowId, services: ServicesDep, _: AdminDep) -> Response:
    await services.admin.delete_capacity_template(template_id=template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@admin_router.post("/materialise", response_model=MaterialiseOut)
async def materialise(
    services: ServicesDep, _: AdminDep, days: Annotated[int | None, Query(ge=1, le=800)] = None
) -> MaterialiseOut:
    """Create the missing slots of the next ``days`` (default: the horizon) from the current
    capacity templates; existing slots are left as they are."""
    return MaterialiseOut(created_slots=await services.materialise.materialise(days=days))
