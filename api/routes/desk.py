"""Routes of the office desk (the desk role and admins): the day's bookings with its figures
and closures, search by reference, check-in. Closures, capacity and no-show rates are the
admins' (``api.routes.staff``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path

from api.models import BookingStatus
from api.routes.convert import closure_out, desk_booking_out
from api.routes.deps import DeskDep, ServicesDep
from api.schemas import CheckInIn, DayFiguresOut, DeskBookingOut, DeskDayOut, Reference
from api.services.desk import ChannelFigures

router = APIRouter(prefix="/desk", tags=["desk"])
PathReference = Annotated[str, Path(max_length=20)]


@router.get("/offices/{code}/day", response_model=DeskDayOut)
async def day_sheet(code: str, day: dt.date, services: ServicesDep, _: DeskDep) -> DeskDayOut:
    """The office's bookings of ``day`` by time, the day's figures by channel, its closures."""
    zone = services.context.zone
    entries = await services.desk.day_sheet(office_code=code, day=day)
    closures = await services.closures.closures(office_code=code, day=day)
    figures = services.desk.figures(entries)
    totals = ChannelFigures(
        **{
            name: sum(getattr(count, name) for count in figures.values())
            for name in asdict(ChannelFigures())
        }
    )
    return DeskDayOut(
        office=code,
        date=day,
        bookings=[desk_booking_out(entry, zone) for entry in entries],
        figures={channel.value: DayFiguresOut(**asdict(c)) for channel, c in figures.items()},
        totals=DayFiguresOut(**asdict(totals)),
        closures=[closure_out(closure, zone) for closure in closures],
    )


@router.get("/bookings/{reference}", response_model=DeskBookingOut)
async def find(reference: PathReference, services: ServicesDep, _: DeskDep) -> DeskBookingOut:
    entry = await services.desk.find(reference=reference)
    return desk_booking_out(entry, services.context.zone)


@router.post("/bookings/{reference}/check-in", response_model=DeskBookingOut)
async def check_in(
    reference: Reference, body: CheckInIn, services: ServicesDep, _: DeskDep
) -> DeskBookingOut:
    entry = await services.desk.check_in(reference=reference, status=BookingStatus(body.status))
    return desk_booking_out(entry, services.context.zone)
