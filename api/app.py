"""The FastAPI application factory: ``create_app(settings)``.

Cheap and free of side effects: it builds the database pool (which connects lazily) and the
services, and registers routes and error handlers. Migrations and seeding are separate calls
(``api.db.migrate``, ``api.seeding``, or ``api.testing.prepared_app`` for tests).

Error bodies are always ``{"error_id", "message", "details"}``: service errors carry their
own id; FastAPI's validation errors become ``validation-error`` (422) with field locations but
without the offending input (which could be passport digits). The access log written here
names method, path template and status, never the query string or headers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.clock import Clock, SystemClock
from api.db import Database
from api.errors import ServiceError
from api.metrics import Metrics
from api.routes import desk, outbound, public, staff, system
from api.routes.deps import Services
from api.services.context import ServiceContext
from api.settings import ApiSettings

access_log = logging.getLogger("api.access")


def create_app(settings: ApiSettings, *, clock: Clock | None = None) -> FastAPI:
    context = ServiceContext(
        database=Database(url=settings.database_url, pool_size=settings.database_pool_size),
        settings=settings,
        clock=clock or SystemClock(),
        metrics=Metrics(),
    )
    services = Services.build(context)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await context.database.dispose()

    app = FastAPI(
        title="Slot service",
        summary="Offices, visit types, availability, holds and bookings of the immigration "
        "offices of Prague and Central Bohemia",
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.services = services
    app.include_router(public.router)
    app.include_router(staff.operator_router)
    app.include_router(desk.router)
    app.include_router(staff.admin_router)
    app.include_router(system.router)
    app.include_router(outbound.router)
    _install_error_handlers(app, context.metrics)
    _install_access_log(app, context.metrics)
    return app


def create_app_from_environment() -> FastAPI:
    """The factory uvicorn calls in each worker process of ``slot-service serve --workers``."""
    return create_app(ApiSettings())


def _refusal_labels(request: Request, details: dict[str, object]) -> tuple[str, str, str]:
    office = details.get("office") or request.query_params.get("office") or ""
    channel = getattr(request.state, "channel", "")
    language = getattr(request.state, "language", "")
    return str(office), str(channel), str(language)


def _install_error_handlers(app: FastAPI, metrics: Metrics) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> JSONResponse:
        office, channel, language = _refusal_labels(request, exc.details)
        metrics.refusals.labels(office, channel, language, exc.error_id).inc()
        return JSONResponse(status_code=exc.status_code, content=exc.body())

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {
                "loc": list(error.get("loc", ())),
                "msg": error.get("msg", ""),
                "type": error.get("type", ""),
            }
            for error in exc.errors()
        ]
        body = {
            "error_id": "validation-error",
            "message": "malformed request",
            "details": {"errors": errors},
        }
        return JSONResponse(status_code=422, content=body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        error_id = {404: "not-found", 405: "method-not-allowed"}.get(exc.status_code, "http-error")
        body = {"error_id": error_id, "message": str(exc.detail), "details": {}}
        return JSONResponse(status_code=exc.status_code, content=body)


def _install_access_log(app: FastAPI, metrics: Metrics) -> None:
    app.add_middleware(AccessLog, metrics=metrics)


class AccessLog:
    """Pure ASGI middleware (cheaper than ``@app.middleware``): request duration by route
    template into the metrics, and one log line without query string or headers."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self._app = app
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self._app(scope, receive, send_status)
        finally:
            elapsed = time.perf_counter() - started
            template = getattr(scope.get("route"), "path", "unmatched")
            self._metrics.request_seconds.labels(scope["method"], template).observe(elapsed)
            access_log.info("%s %s %d %.1fms", scope["method"], template, status, elapsed * 1000)
