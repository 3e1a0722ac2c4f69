"""Typed FastAPI dependencies: the services container and the authenticated principal.

All are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread, a thread hop
per dependency per request for work that never blocks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from api.auth import Principal, TokenAuthority, require
from api.services.admin import AdminService
from api.services.availability import AvailabilityService
from api.services.bookings import BookingService
from api.services.catalog import CatalogService
from api.services.closures import ClosureService
from api.services.context import ServiceContext
from api.services.desk import DeskService
from api.services.holds import HoldService
from api.services.materialise import MaterialiseService
from api.services.outbound import OutboundService
from api.settings import Role


@dataclass(frozen=True)
class Services:
    context: ServiceContext
    authority: TokenAuthority
    catalog: CatalogService
    availability: AvailabilityService
    holds: HoldService
    bookings: BookingService
    admin: AdminService
    closures: ClosureService
    desk: DeskService
    materialise: MaterialiseService
    outbound: OutboundService

    @classmethod
    def build(cls, context: ServiceContext) -> Services:
        bookings = BookingService(context)
        return cls(
            context=context,
            authority=TokenAuthority(context.settings),
            catalog=CatalogService(context),
            availability=AvailabilityService(context),
            holds=HoldService(context),
            bookings=bookings,
            admin=AdminService(context),
            closures=ClosureService(context),
            desk=DeskService(context, bookings=bookings),
            materialise=MaterialiseService(context),
            outbound=OutboundService(context),
        )


async def get_services(request: Request) -> Services:
    services = request.app.state.services
    assert isinstance(services, Services)
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_principal(request: Request) -> Principal:
    # the header read here, not as a Header() parameter of its own: every sub-dependency is
    # resolved again on every request, and this one runs on every request of every route
    services = request.app.state.services
    assert isinstance(services, Services)
    principal = services.authority.authenticate(request.headers.get("authorization"))
    request.state.channel = principal.channel.value
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_staff(principal: PrincipalDep) -> Principal:
    return require(principal, Role.operator, Role.admin)


async def get_desk(principal: PrincipalDep) -> Principal:
    return require(principal, Role.desk, Role.admin)


async def get_admin(principal: PrincipalDep) -> Principal:
    return require(principal, Role.admin)


StaffDep = Annotated[Principal, Depends(get_staff)]
DeskDep = Annotated[Principal, Depends(get_desk)]
AdminDep = Annotated[Principal, Depends(get_admin)]
