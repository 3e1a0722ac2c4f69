"""``ivr serve``: the FastAGI server running the booking flow against the slot service.

Settings come from the environment, all under ``IVR_``, each part with its own prefix so the
same variables drive ``ivr serve``, the classic AGI entry point and the route factory:

- ``IVR_AGI_*``: FastAGI host and port (default 127.0.0.1:4573), allowed Asterisk peers,
  timeouts, metrics port (:class:`ivr.agi.settings.AgiSettings`);
- ``IVR_SLOTS_*``: slot service URL (default http://127.0.0.1:8080), token (default
  ``ivr-dev-token``), per-request budget (:class:`ivr.slots.SlotClientSettings`);
- ``IVR_FLOW_*``: invalid-input and no-input limits, menu and digit timeouts
  (:class:`ivr.flow.settings.FlowSettings`);
- ``IVR_LOG_LEVEL``.

The environment is read here, at the entry point, and nowhere in the flow:
``create_booking_handler`` is the booking route's factory with the settings read here (the flow's
own, ``ivr.flow.runner.create_booking_handler``, takes them as arguments).

The route ``booking`` runs the flow with one slot client for the whole process; the route
``operator-hours`` tells the dialplan whether today is a public holiday
(:mod:`ivr.operator_hours`); the route ``notice`` runs the flow's notice mode for outbound
calls (:mod:`ivr.flow.notice`) with the same client; any other
route in ``IVR_AGI_ROUTES`` is built through its factory (``ivr.agi.routing``). SIGTERM lets the
calls in progress finish (``IVR_AGI_SHUTDOWN_GRACE_S``), then the slot client is closed.

Errors: pydantic's ``ValidationError`` for bad settings (reported by typer as a usage error);
``OSError`` when the port cannot be bound.
"""

from __future__ import annotations

import asyncio
import logging
import logging.config

import typer
from prometheus_client import CollectorRegistry
from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.privacy import logging_config
from ivr.agi.channel import AgiHandler
from ivr.agi.metrics import AgiMetrics
from ivr.agi.routing import build_routes
from ivr.agi.server import serve as serve_fastagi
from ivr.agi.settings import AgiSettings
from ivr.flow.runner import build_booking_runner
from ivr.flow.runner import create_booking_handler as flow_route
from ivr.flow.runner import create_notice_handler as notice_route
from ivr.flow.settings import FlowSettings
from ivr.operator_hours import OperatorHoursRoute
from ivr.slots import SlotClient, SlotClientSettings

logger = logging.getLogger(__name__)

BOOKING_ROUTE = "booking"
OPERATOR_HOURS_ROUTE = "operator-hours"
NOTICE_ROUTE = "notice"


class ServeSettings(BaseSettings):
    """Everything ``ivr serve`` needs; each part reads its own ``IVR_<PART>_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="IVR_")

    agi: AgiSettings = Field(default_factory=AgiSettings)
    slots: SlotClientSettings = Field(default_factory=SlotClientSettings)
    flow: FlowSettings = Field(default_factory=FlowSettings)
    log_level: str = "INFO"


def engine_settings() -> ServeSettings:
    """The engine's settings, from the ``IVR_*`` environment variables."""
    return ServeSettings()


def create_booking_handler(*, metrics: AgiMetrics) -> AgiHandler:
    """The booking route's factory for the transport's routing protocol (``factory(*,
    metrics)``, ``ivr.agi.routing``): the flow's factory with the settings read here."""
    settings = engine_settings()
    return flow_route(metrics=metrics, flow=settings.flow, slots=settings.slots)


def create_notice_handler(*, metrics: AgiMetrics) -> AgiHandler:
    """The route ``notice`` (outbound notices) with the settings read here."""
    settings = engine_settings()
    return notice_route(metrics=metrics, flow=settings.flow, slots=settings.slots)


async def run_engine(settings: ServeSettings) -> None:
    """Serve calls until SIGTERM or SIGINT."""
    metrics = AgiMetrics(registry=CollectorRegistry())
    async with SlotClient.from_settings(settings.slots) as slots:
        runner = build_booking_runner(flow=settings.flow, slots=slots, metrics=metrics)
        own = (BOOKING_ROUTE, OPERATOR_HOURS_ROUTE, NOTICE_ROUTE)
        others = {route: path for route, path in settings.agi.routes.items() if route not in own}
        routes: dict[str, AgiHandler] = build_routes(route_paths=others, metrics=metrics)
        routes[BOOKING_ROUTE] = runner
        routes[OPERATOR_HOURS_ROUTE] = OperatorHoursRoute()
        routes[NOTICE_ROUTE] = build_booking_runner(
            flow=settings.flow, slots=slots, metrics=metrics, notices=True
        )
        logger.info(
            "booking flow on agi://%s:%s/%s, slot service %s",
            settings.agi.host,
            settings.agi.port,
            BOOKING_ROUTE,
            settings.slots.base_url,
        )
        await serve_fastagi(settings=settings.agi, routes=routes, metrics=metrics)


def serve(
    host: str | None = typer.Option(None, help="FastAGI address (default IVR_AGI_HOST)"),
    port: int | None = typer.Option(None, help="FastAGI port (default IVR_AGI_PORT)"),
    slots_url: str | None = typer.Option(
        None, help="slot service URL (default IVR_SLOTS_BASE_URL)"
    ),
) -> None:
    """Run the FastAGI server with the booking flow (route `booking`) until SIGTERM."""
    try:
        settings = engine_settings()
        agi = settings.agi.model_copy(
            update={
                key: value for key, value in (("host", host), ("port", port)) if value is not None
            }
        )
        slots = settings.slots.model_copy(
            update={"base_url": slots_url} if slots_url is not None else {}
        )
    except ValidationError as error:
        raise typer.BadParameter(str(error)) from error
    settings = settings.model_copy(update={"agi": agi, "slots": slots})
    # every line masked: caller numbers and passport digits never reach the log (api.privacy)
    logging.config.dictConfig(logging_config(settings.log_level))
    asyncio.run(run_engine(settings))
