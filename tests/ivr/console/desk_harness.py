"""The desk page's stack for console and browser tests: the real slot service on a copy of the
fixed-date template (``slots_template``, Monday 7 December 2026, its clock a ``ManualClock``),
and the console app with its desk routes, calling the service in-process (ASGITransport) with
the desk and admin tokens. No AMI connection is needed for the desk."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from api.clock import ManualClock
from api.testing import DEV_TOKENS, client_for, prepared_app
from ivr.ami.bridge import AmiBridge
from ivr.ami.settings import AmiSettings
from ivr.console.app import create_console_app
from ivr.console.desk import DeskGateway
from ivr.console.settings import ConsoleSettings
from ivr.slots.client import SlotClient
from tests.conftest import START

DESK_USER, DESK_PASSWORD = "desk1", "desk1-dev-password"
DESK_ADMIN, DESK_ADMIN_PASSWORD = "deskadmin", "deskadmin-dev-password"
OFFICE = "praha-zukovskeho"
DAY = "2026-12-07"


@dataclass
class DeskStack:
    slot_app: FastAPI
    console: FastAPI
    clock: ManualClock

    def slot_service(self, role: str = "admin") -> httpx.AsyncClient:
        return client_for(self.slot_app, DEV_TOKENS[role])

    def console_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.console),
                                 base_url="http://console.test")


@asynccontextmanager
async def desk_stack(server: str, template: str) -> AsyncIterator[DeskStack]:
    clock = ManualClock(START)
    settings = ConsoleSettings(desk_refresh_seconds=0.5)
    async with prepared_app(server, template=template, clock=clock) as slot_app:
        transport = httpx.ASGITransport(app=slot_app)
        slots = SlotClient(base_url="http://slots.test", token=DEV_TOKENS["operator"],
                           timeout_seconds=10, transport=transport)
        desk = DeskGateway(base_url="http://slots.test", desk_token=DEV_TOKENS["desk"],
                           admin_token=DEV_TOKENS["admin"], timeout_seconds=10,
                           transport=transport)
        console = create_console_app(settings, bridge=AmiBridge(AmiSettings()), slots=slots,
                                     desk=desk)
        try:
            yield DeskStack(slot_app, console, clock)
        finally:
            await desk.aclose()
            await slots.aclose()


async def book(stack: DeskStack, *, after: str, caller: str, passport: str,
               visit_type: str = "ltr-extension", language: str = "uk") -> dict[str, Any]:
    """A caller's booking through the phone channel (hold, then book) after ``after``."""
    async with stack.slot_service("ivr") as ivr:
        slots = (await ivr.get("/availability", params={
            "office": OFFICE, "visit_type": visit_type, "after": after, "limit": 1})).json()
        slot = slots["slots"][0]
        held = await ivr.post("/holds", json={"slot_id": slot["slot_id"],
                                              "caller_number": caller, "language": language})
        assert held.status_code == 201, held.text
        booked = await ivr.post("/bookings", json={
            "hold_id": held.json()["hold_id"], "caller_number": caller, "language": language,
            "passport_digits": passport, "birth_date": "1990-05-17"})
        assert booked.status_code == 201, booked.text
        result: dict[str, Any] = booked.json()
        return result
