"""The office desk page (``/desk``) of the console: its login, and its routes in front of the
slot service's ``/desk`` and ``/admin`` endpoints.

Desk users log in like operators (``ConsoleSettings.desk_users``, the same signed session
cookie under its own key ``desk_user``, so one browser can be an operator and a desk user at
once). The console calls the slot service for them with the desk token, or for an admin desk
user's admin pages (closures, capacity, materialise, no-show rates) with the admin token;
a desk user who is no admin gets 403 ``forbidden`` from the console before any call.

The routes pass the slot service's answers through: a refusal keeps its status, ``error_id``
and ``details`` (the page shows the slots a capacity change would leave short), so nothing is
re-interpreted here. Path parts are checked before they go into a URL (office codes and
references have fixed shapes).

Errors (``DeskError``)::

    DeskError
    ├── DeskRefused          the slot service's 4xx, passed through (status, error_id, details)
    ├── DeskUnauthorized     401 unauthorized: no desk session / wrong password
    ├── DeskForbidden        403 forbidden: an admin page for a desk user who is no admin
    └── DeskUnavailable      503 slot-service-unavailable: no answer, 5xx, or not JSON

The page reloads the day every ``desk_refresh_seconds`` (the bookings change from the phone
and the operators, which the console is not told about) and after each of its own changes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path as FilePath
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, Field

from ivr.console.settings import ConsoleSettings, DeskAccount, authenticated

STATIC = FilePath(__file__).parent / "static"
OfficeCode = Annotated[str, Path(pattern=r"^[a-z0-9-]{1,40}$")]
Reference = Annotated[str, Path(pattern=r"^[0-9]{8}$")]


class DeskError(Exception):
    status_code = 500
    error_id = "desk-error"

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"error_id": self.error_id, "message": self.message, "details": self.details},
            status_code=self.status_code,
        )


class DeskRefused(DeskError):
    def __init__(
        self, *, status_code: int, error_id: str, message: str, details: dict[str, Any]
    ) -> None:
        super().__init__(message, details)
        self.status_code, self.error_id = status_code, error_id


class DeskUnauthorized(DeskError):
    status_code = 401
    error_id = "unauthorized"


class DeskForbidden(DeskError):
    status_code = 403
    error_id = "forbidden"


class DeskUnavailable(DeskError):
    status_code = 503
    error_id = "slot-service-unavailable"


class DeskGateway:
    """The slot service as the desk page uses it: one httpx client, two tokens."""

    def __init__(
        self,
        *,
        base_url: str,
        desk_token: str,
        admin_token: str,
        timeout_seconds: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout_seconds, transport=transport
        )
        self._tokens = {False: desk_token, True: admin_token}

    async def call(
        self,
        method: str,
        path: str,
        *,
        admin: bool,
        params: dict[str, Any] | None = None,
        json: Any = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self._tokens[admin]}"}
        try:
            response = await self._client.request(
                method, path, params=params, json=json, headers=headers
            )
        except httpx.HTTPError as exc:
            raise DeskUnavailable(f"the slot service did not answer: {type(exc).__name__}") from exc
        try:
            body = response.json()
        except ValueError as exc:
            raise DeskUnavailable(f"the slot service answered {response.status_code}") from exc
        if response.status_code >= 500:
            raise DeskUnavailable(f"the slot service failed ({response.status_code})")
        if response.status_code >= 400:
            if not isinstance(body, dict) or "error_id" not in body:
                raise DeskUnavailable(f"the slot service answered {response.status_code}")
            raise DeskRefused(
                status_code=response.status_code,
                error_id=str(body["error_id"]),
                message=str(body.get("message", "")),
                details=body.get("details") or {},
            )
        return body

    async def aclose(self) -> None:
        await self._client.aclose()


class DeskLogin(BaseModel):
    username: str
    password: str


class CheckIn(BaseModel):
    status: str = Field(pattern=r"^(attended|no-show|confirmed)$")


class Seats(BaseModel):
    phone: int = Field(ge=0, le=1000)
    operator: int = Field(ge=0, le=1000)
    counter: int = Field(ge=0, le=1000)


class CapacityChange(BaseModel):
    seats: Seats


class ClosurePeriod(BaseModel):
    office: str
    date: dt.date
    start: str | None = None
    end: str | None = None


class ClosureRequest(ClosurePeriod):
    reason: str = Field(min_length=1, max_length=200)


def current_desk_user(request: Request) -> tuple[str, DeskAccount]:
    settings: ConsoleSettings = request.app.state.console_settings
    username = request.session.get("desk_user")
    account = settings.desk_users.get(username) if isinstance(username, str) else None
    if account is None or not isinstance(username, str):
        raise DeskUnauthorized("log in first")
    return username, account


DeskUser = Annotated[tuple[str, DeskAccount], Depends(current_desk_user)]


def current_desk_admin(user: DeskUser) -> None:
    if not user[1].admin:
        raise DeskForbidden("this page is for administrators")


DeskAdmin = Annotated[None, Depends(current_desk_admin)]


def install_desk(app: FastAPI, settings: ConsoleSettings, gateway: DeskGateway) -> None:
    """Add the desk page and its routes to the console ``app``."""

    @app.exception_handler(DeskError)
    async def desk_error(_request: Request, exc: DeskError) -> JSONResponse:
        return exc.response()

    router = APIRouter(prefix="/api/desk")

    @app.get("/desk", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "desk.html")

    @router.post("/login")
    async def login(body: DeskLogin, request: Request) -> dict[str, Any]:
        account = authenticated(settings.desk_users, body.username, body.password)
        if account is None:
            raise DeskUnauthorized("wrong user name or password")
        request.session.pop("desk_user", None)
        request.session["desk_user"] = body.username
        return {"username": body.username, "admin": account.admin}

    @router.post("/logout")
    async def logout(request: Request) -> dict[str, bool]:
        request.session.pop("desk_user", None)
        return {"ok": True}

    @router.get("/me")
    async def me(user: DeskUser) -> dict[str, Any]:
        username, account = user
        return {
            "username": username,
            "display_name": account.display_name or username,
            "admin": account.admin,
            "refresh_seconds": settings.desk_refresh_seconds,
            "timezone": settings.timezone,
        }

    @router.get("/offices")
    async def offices(user: DeskUser) -> Any:
        return await gateway.call("GET", "/offices", admin=False)

    @router.get("/visit-types")
    async def visit_types(user: DeskUser) -> Any:
        return await gateway.call("GET", "/visit-types", admin=False)

    @router.get("/offices/{office}/day")
    async def day(office: OfficeCode, day: dt.date, user: DeskUser) -> Any:
        return await gateway.call(
            "GET", f"/desk/offices/{office}/day", admin=False, params={"day": day.isoformat()}
        )

    @router.get("/bookings/{reference}")
    async def find(reference: Reference, user: DeskUser) -> Any:
        return await gateway.call("GET", f"/desk/bookings/{reference}", admin=False)

    @router.post("/bookings/{reference}/check-in")
    async def check_in(reference: Reference, body: CheckIn, user: DeskUser) -> Any:
        return await gateway.call(
            "POST", f"/desk/bookings/{reference}/check-in", admin=False, json=body.model_dump()
        )

    @router.post("/closures/preview")
    async def preview(body: ClosurePeriod, _: DeskAdmin) -> Any:
        return await gateway.call(
            "POST", "/admin/closures/preview", admin=True, json=body.model_dump(mode="json")
        )

    @router.post("/closures", status_code=201)
    async def close(body: ClosureRequest, _: DeskAdmin) -> Any:
        return await gateway.call(
            "POST", "/admin/closures", admin=True, json=body.model_dump(mode="json")
        )

    @router.delete("/closures/{closure_id}")
    async def reopen(closure_id: Annotated[int, Path(ge=1)], _: DeskAdmin) -> Any:
        return await gateway.call("DELETE", f"/admin/closures/{closure_id}", admin=True)

    @router.get("/capacity")
    async def capacity(
        office: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,40}$")], _: DeskAdmin
    ) -> Any:
        return await gateway.call(
            "GET", "/admin/capacity-templates", admin=True, params={"office": office}
        )

    @router.put("/capacity/{template_id}")
    async def change_capacity(
        template_id: Annotated[int, Path(ge=1)], body: CapacityChange, _: DeskAdmin
    ) -> Any:
        return await gateway.call(
            "PUT", f"/admin/capacity-templates/{template_id}", admin=True, json=body.model_dump()
        )

    @router.post("/materialise")
    async def materialise(_: DeskAdmin) -> Any:
        return await gateway.call("POST", "/admin/materialise", admin=True)

    @router.get("/no-show-rates")
    async def no_show_rates(_: DeskAdmin) -> Any:
        return await gateway.call("GET", "/admin/no-show-rates", admin=True)

    @router.get("/outbound/attempts")
    async def outbound_attempts(
        office: Annotated[str, Query(pattern=r"^[a-z0-9-]{1,40}$")], day: dt.date, user: DeskUser
    ) -> Any:
        """The outbound call attempts for the day's bookings (docs/outbound.md)."""
        return await gateway.call(
            "GET", "/outbound/attempts", admin=False,
            params={"office_code": office, "day": day.isoformat()},
        )

    app.include_router(router)
