"""Routes used by the phone menu (role ivr) and everyone else: catalog, availability, holds,
bookings. The caller's channel comes from the token's role, never from the request body."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status

from api.errors import InvalidRequest
from api.routes.convert import ModelResponse, booking_out, office_out, slot_out, visit_type_out
from api.routes.deps import PrincipalDep, ServicesDep
from api.schemas import (
    AvailabilityOut,
    BookingIn,
    BookingOut,
    CallerNumber,
    HoldIn,
    HoldOut,
    OfficeOut,
    PassportDigits,
    ProofIn,
    RescheduleIn,
    VisitTypeOut,
)
from api.services.bookings import Identity, Proof
from api.settings import Role

router = APIRouter()
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=100)]


def _proof(
    principal_role: Role,
    *,
    caller_number: str | None,
    passport_digits: str | None,
    birth_date: dt.date | None,
) -> Proof | None:
    """Callers must prove a booking is theirs; operators and admins may look any up."""
    identity = (
        Identity(passport_digits=passport_digits, birth_date=birth_date)
        if passport_digits is not None and birth_date is not None
        else None
    )
    if caller_number is None and identity is None:
        if principal_role is Role.ivr:
            raise InvalidRequest(
                "give caller_number, or passport_digits with birth_date",
                fields=["caller_number", "passport_digits", "birth_date"],
            )
        return None
    return Proof(caller_number=caller_number, identity=identity)


@router.get("/offices", response_model=list[OfficeOut], tags=["catalog"])
async def list_offices(services: ServicesDep, _: PrincipalDep) -> list[OfficeOut]:
    return [office_out(office) for office in await services.catalog.offices()]


@router.get("/visit-types", response_model=list[VisitTypeOut], tags=["catalog"])
async def list_visit_types(services: ServicesDep, _: PrincipalDep) -> list[VisitTypeOut]:
    return [visit_type_out(visit) for visit in await services.catalog.visit_types()]


@router.get("/offices/{code}/visit-types", response_model=list[VisitTypeOut], tags=["catalog"])
async def office_visit_types(
    code: str, services: ServicesDep, _: PrincipalDep
) -> list[VisitTypeOut]:
    visits = await services.catalog.visit_types(office_code=code)
    return [visit_type_out(visit) for visit in visits]


@router.get("/availability", response_model=AvailabilityOut, tags=["slots"])
async def availability(
    services: ServicesDep,
    principal: PrincipalDep,
    office: str,
    visit_type: str,
    after: dt.datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 5,
) -> Response:
    if after is not None and after.tzinfo is None:
        after = after.replace(tzinfo=services.context.zone)
    found = await services.availability.earliest(
        office_code=office,
        visit_type_code=visit_type,
        channel=principal.channel,
        after=after,
        limit=limit,
    )
    zone = services.context.zone
    return ModelResponse(AvailabilityOut(slots=[slot_out(free, zone) for free in found]))


@router.post("/holds", status_code=status.HTTP_201_CREATED, response_model=HoldOut, tags=["slots"])
async def create_hold(
    body: HoldIn, request: Request, services: ServicesDep, principal: PrincipalDep
) -> Response:
    request.state.language = body.language
    hold = await services.holds.hold(
        slot_id=body.slot_id,
        channel=principal.channel,
        caller_number=body.caller_number,
        language=body.language,
    )
    held = HoldOut(
        hold_id=hold.id,
        slot_id=hold.slot_id,
        expires_at=hold.expires_at.astimezone(services.context.zone),
        channel=hold.channel,
    )
    return ModelResponse(held, status_code=status.HTTP_201_CREATED)


@router.delete("/holds/{hold_id}", status_code=status.HTTP_204_NO_CONTENT, tags=["slots"])
async def release_hold(hold_id: str, services: ServicesDep, principal: PrincipalDep) -> Response:
    await services.holds.release(hold_id=hold_id, channel=principal.channel)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/bookings", status_code=status.HTTP_201_CREATED, response_model=BookingOut, tags=["bookings"]
)
async def create_booking(
    body: BookingIn,
    request: Request,
    services: ServicesDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    request.state.language = body.language
    booking = await services.bookings.book(
        hold_id=body.hold_id,
        channel=principal.channel,
        caller_number=body.caller_number,
        language=body.language,
        identity=Identity(passport_digits=body.passport_digits, birth_date=body.birth_date),
        idempotency_key=idempotency_key,
    )
    return ModelResponse(
        booking_out(booking, services.context.zone), status_code=status.HTTP_201_CREATED
    )


@router.get("/bookings", response_model=list[BookingOut], tags=["bookings"])
async def bookings_of_caller(
    caller_number: CallerNumber, services: ServicesDep, _: PrincipalDep
) -> list[BookingOut]:
    zone = services.context.zone
    found = await services.bookings.active_for_caller(caller_number=caller_number)
    return [booking_out(booking, zone) for booking in found]


@router.get("/bookings/{reference}", response_model=BookingOut, tags=["bookings"])
async def get_booking(
    reference: str,
    services: ServicesDep,
    principal: PrincipalDep,
    caller_number: CallerNumber | None = None,
    passport_digits: PassportDigits | None = None,
    birth_date: dt.date | None = None,
) -> BookingOut:
    proof = _proof(
        principal.role,
        caller_number=caller_number,
        passport_digits=passport_digits,
        birth_date=birth_date,
    )
    booking = await services.bookings.find(reference=reference, proof=proof)
    return booking_out(booking, services.context.zone)


@router.post("/bookings/{reference}/cancel", response_model=BookingOut, tags=["bookings"])
async def cancel_booking(
    reference: str, body: ProofIn, services: ServicesDep, principal: PrincipalDep
) -> BookingOut:
    proof = _proof(
        principal.role,
        caller_number=body.caller_number,
        passport_digits=body.passport_digits,
        birth_date=body.birth_date,
    )
    booking = await services.bookings.cancel(reference=reference, proof=proof)
    return booking_out(booking, services.context.zone)


@router.post(
    "/bookings/{reference}/reschedule",
    status_code=status.HTTP_201_CREATED,
    response_model=BookingOut,
    tags=["bookings"],
)
async def reschedule_booking(
    reference: str,
    body: RescheduleIn,
    services: ServicesDep,
    principal: PrincipalDep,
    idempotency_key: IdempotencyKey = None,
) -> BookingOut:
    """Cancel the booking and book the held slot in one transaction: both happen or neither."""
    proof = _proof(
        principal.role,
        caller_number=body.caller_number,
        passport_digits=body.passport_digits,
        birth_date=body.birth_date,
    )
    old = await services.bookings.find(reference=reference, proof=proof)
    booking = await services.bookings.reschedule(
        reference=reference,
        proof=proof,
        hold_id=body.hold_id,
        channel=principal.channel,
        caller_number=body.caller_number,
        language=body.language or old.language,
        idempotency_key=idempotency_key,
    )
    return booking_out(booking, services.context.zone)
