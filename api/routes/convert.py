"""Model instances (rows read by the services) → response bodies; times leave in the service's
time zone with their offset.

``ModelResponse`` serves the hot routes (availability, holds, bookings): the route builds its
response model from typed values, pydantic-core serialises it once, and FastAPI, given a
``Response``, skips validating and encoding the model again (the route's ``response_model``
still documents the body in OpenAPI)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Response
from pydantic import BaseModel

from api.models import Booking, CapacityTemplate, Closure, Office, VisitType
from api.schemas import (
    BookingOut,
    CapacityTemplateOut,
    ClosureOut,
    DeskBookingOut,
    Names,
    OfficeOut,
    SlotOut,
    VisitTypeOut,
)
from api.services.availability import FreeSlot
from api.services.desk import DeskEntry


def local(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return moment.astimezone(zone)


def office_out(office: Office) -> OfficeOut:
    return OfficeOut(
        code=office.code,
        region=office.region,
        names=Names.model_validate(office.names),
        address=office.address,
        active=office.active,
        menu_order=office.menu_order,
        opening_hours=office.opening_hours,
    )


def visit_type_out(visit: VisitType) -> VisitTypeOut:
    return VisitTypeOut(
        code=visit.code,
        names=Names.model_validate(visit.names),
        duration_minutes=visit.duration_minutes,
        menu_order=visit.menu_order,
    )


def slot_out(free: FreeSlot, zone: ZoneInfo) -> SlotOut:
    return SlotOut(
        slot_id=free.slot_id,
        office=free.office_code,
        visit_type=free.visit_type_code,
        starts_at=local(free.starts_at, zone),
        ends_at=local(free.ends_at, zone),
        free_seats=free.free_seats,
    )


def _booking_fields(booking: Booking, zone: ZoneInfo) -> dict[str, Any]:
    """What every view of a booking shows."""
    return {
        "reference": booking.reference,
        "office": booking.office_code,
        "visit_type": booking.visit_type_code,
        "slot_id": booking.slot_id,
        "starts_at": local(booking.starts_at, zone),
        "status": booking.status,
        "channel": booking.channel,
        "language": booking.language,
    }


def booking_out(booking: Booking, zone: ZoneInfo) -> BookingOut:
    return BookingOut(**_booking_fields(booking, zone), caller_number=booking.caller_number)


def _hhmm(moment: dt.datetime | None, zone: ZoneInfo) -> str | None:
    return None if moment is None else local(moment, zone).strftime("%H:%M")


def desk_booking_out(entry: DeskEntry, zone: ZoneInfo) -> DeskBookingOut:
    booking = entry.booking
    marked = booking.attendance_at
    return DeskBookingOut(
        **_booking_fields(booking, zone),
        caller=entry.caller_masked,
        identity=entry.identity_masked,
        attendance_at=None if marked is None else local(marked, zone),
        cancelled_by_closure_id=booking.cancelled_by_closure_id,
    )


def closure_out(closure: Closure, zone: ZoneInfo) -> ClosureOut:
    return ClosureOut(
        closure_id=closure.id,
        office=closure.office_code,
        date=closure.day,
        start=_hhmm(closure.starts_at, zone),
        end=_hhmm(closure.ends_at, zone),
        reason=closure.reason,
        created_at=local(closure.created_at, zone),
        created_by=closure.created_by,
        reopened_at=None if closure.reopened_at is None else local(closure.reopened_at, zone),
    )


def template_out(template: CapacityTemplate) -> CapacityTemplateOut:
    return CapacityTemplateOut(
        template_id=template.id,
        office=template.office_code,
        visit_type=template.visit_type_code,
        weekday=template.weekday,
        start=template.start_time,
        end=template.end_time,
        seats={
            "phone": template.seats_phone,
            "operator": template.seats_operator,
            "counter": template.seats_counter,
        },
    )


class ModelResponse(Response):
    media_type = "application/json"

    def __init__(self, model: BaseModel, *, status_code: int = 200) -> None:
        super().__init__(content=model.model_dump_json(), status_code=status_code)
