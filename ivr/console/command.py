"""``ivr console``: serve the operator console (default http://127.0.0.1:8090) and the
office desk page beside it (``/desk``).

Settings come from the environment: ``IVR_CONSOLE_*`` (operators and desk users, session
secret, slot service URL, operator, desk and desk-admin tokens), ``IVR_AMI_*`` (Asterisk
manager host, port, user, secret).
"""

from __future__ import annotations

import asyncio
import logging.config

import typer
import uvicorn

from api.privacy import logging_config
from ivr.ami.bridge import AmiBridge
from ivr.ami.settings import AmiSettings
from ivr.console.app import create_console_app
from ivr.console.desk import DeskGateway
from ivr.console.settings import ConsoleSettings
from ivr.slots.client import SlotClient


async def serve(settings: ConsoleSettings, ami: AmiSettings) -> None:
    """Run until interrupted; the bridge and the HTTP client are built inside the loop."""
    async with SlotClient(
        base_url=settings.slots_base_url,
        token=settings.slots_token.get_secret_value(),
        timeout_seconds=settings.slots_timeout_seconds,
    ) as slots:
        desk = DeskGateway(
            base_url=settings.slots_base_url,
            desk_token=settings.desk_slots_token.get_secret_value(),
            admin_token=settings.desk_admin_slots_token.get_secret_value(),
            timeout_seconds=settings.slots_timeout_seconds,
        )
        app = create_console_app(settings, bridge=AmiBridge(ami), slots=slots, desk=desk)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="info",
            log_config=logging_config("info"),  # masked: URLs may carry caller numbers
        )
        try:
            await uvicorn.Server(config).serve()
        finally:
            await desk.aclose()


def console(
    host: str | None = typer.Option(None, help="listen address (default IVR_CONSOLE_HOST)"),
    port: int | None = typer.Option(None, help="listen port (default IVR_CONSOLE_PORT, 8090)"),
) -> None:
    """Serve the operator console (live queues, screen pop, booking for callers, callbacks)
    and the office desk page (/desk)."""
    logging.config.dictConfig(logging_config("info"))
    settings = ConsoleSettings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    asyncio.run(serve(settings, AmiSettings()))
