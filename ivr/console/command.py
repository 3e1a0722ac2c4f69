"""``ivr console``: serve the operator console (default http://127.0.0.1:8090).

Settings come from the environment: ``IVR_CONSOLE_*`` (operators, session secret, slot
service URL and operator token), ``IVR_AMI_*`` (Asterisk manager host, port, user, secret).
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
from ivr.console.settings import ConsoleSettings
from ivr.slots.client import SlotClient


async def serve(settings: ConsoleSettings, ami: AmiSettings) -> None:
    """Run until interrupted; the bridge and the HTTP client are built inside the loop."""
    async with SlotClient(
        base_url=settings.slots_base_url,
        token=settings.slots_token.get_secret_value(),
        timeout_seconds=settings.slots_timeout_seconds,
    ) as slots:
        app = create_console_app(settings, bridge=AmiBridge(ami), slots=slots)
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="info",
            log_config=logging_config("info"),  # masked: URLs may carry caller numbers
        )
        await uvicorn.Server(config).serve()


def console(
    host: str | None = typer.Option(None, help="listen address (default IVR_CONSOLE_HOST)"),
    port: int | None = typer.Option(None, help="listen port (default IVR_CONSOLE_PORT, 8090)"),
) -> None:
    """Serve the operator console: live queues, screen pop, booking for callers, callbacks."""
    logging.config.dictConfig(logging_config("info"))
    settings = ConsoleSettings()
    if host is not None:
        settings.host = host
    if port is not None:
        settings.port = port
    asyncio.run(serve(settings, AmiSettings()))
