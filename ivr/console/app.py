"""The operator console: a FastAPI app with one static page, live by server-sent events.

Layers: routes (this module) → the AMI bridge (``ivr.ami``) for the live queues, pause and
callbacks, and the slot client (``ivr.slots``) for slots and bookings with the operator token
(the service books them with channel ``operator``). Both are passed in; the app's lifespan runs
the bridge's connection loop.

The office desk page (``/desk``) is added when a ``DeskGateway`` is given (``ivr.console.desk``).

Operators log in with the credentials of ``ConsoleSettings.operators``; the session is a signed
cookie (Starlette's SessionMiddleware, itsdangerous). Every ``/api`` route but login needs it.

Errors leave as JSON ``{"error_id", "message"}``::

    401 unauthorized             no or bad session / wrong password
    404 callback-not-found
    409 <slot service error_id>  the slot service refused (slot-full, identity-limit, …)
    409 callback-not-pending     the callback is already dialing or done (``CallbackNotPending``)
    502 ami-action-failed        Asterisk answered Error (e.g. pause while in no queue)
    503 ami-unavailable          no AMI connection, or no answer in time
    503 slot-service-unavailable the slot service did not answer (or answered nonsense)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.middleware.sessions import SessionMiddleware

from api.identity import PASSPORT_DIGITS_PATTERN
from ivr.ami.bridge import AmiBridge
from ivr.ami.errors import AmiActionFailed, AmiError, CallbackNotPending
from ivr.console.desk import DeskGateway, install_desk
from ivr.console.hub import ChangeHub
from ivr.console.settings import ConsoleSettings, OperatorAccount, authenticated
from ivr.console.views import snapshot
from ivr.slots.client import SlotClient
from ivr.slots.errors import SlotRefused, SlotServiceError

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


class ConsoleError(Exception):
    """The console's own refusal of a request: an HTTP status and a stable ``error_id``."""

    def __init__(self, status_code: int, error_id: str, message: str) -> None:
        super().__init__(message)
        self.status_code, self.error_id, self.message = status_code, error_id, message


class Login(BaseModel):
    username: str
    password: str


class PauseRequest(BaseModel):
    paused: bool
    reason: str = ""


class BookingRequest(BaseModel):
    slot_id: int | str
    caller_number: str = Field(min_length=3)
    language: str
    passport_digits: str = Field(pattern=PASSPORT_DIGITS_PATTERN)  # the service's own limit
    birth_date: date


def current_operator(request: Request) -> tuple[str, OperatorAccount]:
    """The logged-in operator of this request's session, or 401."""
    settings: ConsoleSettings = request.app.state.console_settings
    username = request.session.get("operator")
    account = settings.operators.get(username) if isinstance(username, str) else None
    if account is None or not isinstance(username, str):
        raise ConsoleError(401, "unauthorized", "log in first")
    return username, account


Operator = Annotated[tuple[str, OperatorAccount], Depends(current_operator)]


def create_console_app(
    settings: ConsoleSettings,
    *,
    bridge: AmiBridge,
    slots: SlotClient,
    desk: DeskGateway | None = None,
    clock: Callable[[], float] = time.time,
) -> FastAPI:
    """The console; with ``desk``, also the office desk page (``/desk``, ``ivr.console.desk``)."""
    hub = ChangeHub()
    bridge.add_listener(hub.notify)
    zone = ZoneInfo(settings.timezone)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(bridge.run(), name="ami-bridge")
        try:
            yield
        finally:
            await bridge.stop()
            await asyncio.wait_for(task, 5.0)

    app = FastAPI(title="ivr-booking operator console", lifespan=lifespan)
    app.state.console_settings = settings
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret.get_secret_value(),
        session_cookie="ivr_console",
        max_age=settings.session_max_age_seconds,
        same_site="strict",
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(ConsoleError)
    async def console_error(_request: Request, exc: ConsoleError) -> JSONResponse:
        return JSONResponse({"error_id": exc.error_id, "message": exc.message}, exc.status_code)

    @app.exception_handler(SlotRefused)
    async def slot_refused(_request: Request, exc: SlotRefused) -> JSONResponse:
        return JSONResponse({"error_id": exc.error_id, "message": exc.message}, 409)

    @app.exception_handler(SlotServiceError)
    async def slot_unavailable(_request: Request, exc: SlotServiceError) -> JSONResponse:
        log.warning("slot service failed: %r", exc)
        return JSONResponse(
            {"error_id": "slot-service-unavailable", "message": str(exc)}, status_code=503
        )

    @app.exception_handler(AmiError)
    async def ami_failed(_request: Request, exc: AmiError) -> JSONResponse:
        if isinstance(exc, CallbackNotPending):  # another operator was quicker
            return JSONResponse({"error_id": "callback-not-pending", "message": str(exc)}, 409)
        log.warning("AMI action failed: %r", exc)
        if isinstance(exc, AmiActionFailed):
            return JSONResponse({"error_id": "ami-action-failed", "message": str(exc)}, 502)
        return JSONResponse({"error_id": "ami-unavailable", "message": str(exc)}, 503)

    def view(username: str, account: OperatorAccount) -> dict[str, Any]:
        return snapshot(bridge.state, username=username, interface=account.interface,
                        connected=bridge.connected.is_set(), now=clock())

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.post("/api/login")
    async def login(body: Login, request: Request) -> dict[str, str]:
        account = authenticated(settings.operators, body.username, body.password)
        if account is None:
            raise ConsoleError(401, "unauthorized", "wrong user name or password")
        request.session.clear()
        request.session["operator"] = body.username
        return {"username": body.username, "interface": account.interface}

    @app.post("/api/logout")
    async def logout(request: Request) -> dict[str, bool]:
        request.session.clear()
        return {"ok": True}

    @app.get("/api/me")
    async def me(operator: Operator) -> dict[str, str]:
        username, account = operator
        return {"username": username, "interface": account.interface,
                "display_name": account.display_name or username}

    @app.get("/api/state")
    async def state(operator: Operator) -> dict[str, Any]:
        return view(*operator)

    @app.get("/api/events")
    async def events(operator: Operator, request: Request) -> StreamingResponse:
        async def stream() -> AsyncIterator[str]:
            with hub.subscribe() as wake:
                yield f"event: state\ndata: {json.dumps(view(*operator))}\n\n"
                while not await request.is_disconnected():
                    try:
                        await asyncio.wait_for(wake.get(), settings.keepalive_seconds)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    yield f"event: state\ndata: {json.dumps(view(*operator))}\n\n"

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store"})

    @app.post("/api/pause")
    async def pause(body: PauseRequest, operator: Operator) -> dict[str, bool]:
        await bridge.pause(interface=operator[1].interface, paused=body.paused,
                           reason=body.reason)
        return {"paused": body.paused}

    @app.get("/api/offices")
    async def offices(operator: Operator) -> list[dict[str, Any]]:
        listed = [o for o in await slots.offices() if o.active]
        kinds = await asyncio.gather(*(slots.visit_types(o.code) for o in listed))
        return [
            {"code": o.code, "names": o.names, "address": o.address,
             "visit_types": [{"code": v.code, "names": v.names} for v in types]}
            for o, types in zip(listed, kinds, strict=True)
        ]

    @app.get("/api/slots")
    async def earliest_slots(office: str, visit_type: str,
                             operator: Operator) -> list[dict[str, Any]]:
        found = await slots.availability(office=office, visit_type=visit_type,
                                         after=datetime.now(zone), limit=settings.earliest_slots)
        return [s.model_dump(mode="json") for s in found]

    @app.post("/api/bookings", status_code=201)
    async def book(body: BookingRequest, operator: Operator) -> dict[str, Any]:
        hold = await slots.hold(slot_id=body.slot_id, caller_number=body.caller_number,
                                language=body.language)
        try:
            booking = await slots.book(
                hold_id=hold.hold_id, caller_number=body.caller_number, language=body.language,
                passport_digits=body.passport_digits, birth_date=body.birth_date,
            )
        except SlotServiceError:
            try:
                await slots.release(hold.hold_id)
            except SlotServiceError as release_error:  # the hold expires on its own anyway
                log.warning("could not release hold %s: %r", hold.hold_id, release_error)
            raise
        bridge.state.record_operator_booking(language=body.language, now=clock())
        hub.notify()
        log.info("operator %s booked %s for %s", operator[0], booking.reference,
                 body.caller_number)
        return booking.model_dump(mode="json")

    @app.post("/api/callbacks/{callback_id}/start")
    async def start_callback(callback_id: int, operator: Operator) -> dict[str, Any]:
        callback = bridge.state.callbacks.get(callback_id)
        if callback is None:
            raise ConsoleError(404, "callback-not-found", f"no callback {callback_id}")
        started = await bridge.start_callback(callback_id=callback_id,
                                              interface=operator[1].interface)
        return {"callback_id": started.callback_id, "status": started.status.value}

    if desk is not None:
        install_desk(app, settings, desk)
    return app
