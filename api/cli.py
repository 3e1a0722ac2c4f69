"""``slot-service``: migrate, seed, materialise, serve, and the embedded database (typer).

Settings come from the environment (``SLOTS_*``, see ``api.settings``). With no
``SLOTS_DATABASE_URL`` the database is the embedded PostgreSQL (``api.embedded``): each
command that needs it starts it if it is not running and stops it again when done;
``slot-service db start`` leaves it running for the commands that follow (as ``make demo``
does) until ``slot-service db stop``.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import logging.config
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console
from rich.progress import Progress

from api.app import create_app
from api.clock import SystemClock
from api.db import Database, migrate
from api.embedded import EmbeddedPostgres, running_for
from api.errors import EmbeddedDatabaseError, InvalidRequest
from api.metrics import Metrics
from api.privacy import logging_config
from api.seeding import apply_seed, load_seed_file
from api.services.context import ServiceContext
from api.services.materialise import MaterialiseService
from api.services.retention import PurgeReport, RetentionService
from api.settings import ApiSettings

cli = typer.Typer(help="The slot service of the immigration offices.", no_args_is_help=True)
db_cli = typer.Typer(help="The embedded PostgreSQL (demo and development).", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
console = Console(stderr=True)


async def _materialise(settings: ApiSettings, days: int | None) -> int:
    database = Database(url=settings.database_url)
    context = ServiceContext(
        database=database, settings=settings, clock=SystemClock(), metrics=Metrics()
    )
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("materialising slots", total=days or settings.horizon_days)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            return await MaterialiseService(context).materialise(days=days, progress=advance)
    finally:
        await database.dispose()


async def _seed(settings: ApiSettings, seed_file: Path) -> int:
    database = Database(url=settings.database_url)
    try:
        await apply_seed(database=database, seed=load_seed_file(seed_file))
    finally:
        await database.dispose()
    return await _materialise(settings, None)


@cli.command("migrate")
def migrate_command() -> None:
    """Apply the database migrations (idempotent)."""
    settings = ApiSettings()
    with running_for(settings, started=_announce):
        asyncio.run(migrate(settings.database_url))
    console.print("migrations applied")


@cli.command("seed")
def seed_command(
    file: Annotated[Path | None, typer.Option("--file", help="seed TOML file")] = None,
) -> None:
    """Load offices, visit types and capacity (idempotent), then materialise the horizon."""
    settings = ApiSettings()
    with running_for(settings, started=_announce):
        created = asyncio.run(_seed(settings, file or settings.seed_file))
    console.print(f"seed loaded; {created} new slots for {settings.horizon_days} days")


@cli.command("materialise")
def materialise_command(
    days: Annotated[int | None, typer.Option(help="days from today (default: horizon)")] = None,
) -> None:
    """Create the missing slots of the horizon from the capacity templates."""
    settings = ApiSettings()
    with running_for(settings, started=_announce):
        created = asyncio.run(_materialise(settings, days))
    console.print(f"{created} new slots")


async def _purge(settings: ApiSettings, older_than_days: int) -> PurgeReport:
    database = Database(url=settings.database_url)
    context = ServiceContext(
        database=database, settings=settings, clock=SystemClock(), metrics=Metrics()
    )
    try:
        return await RetentionService(context).purge_personal_data(older_than_days=older_than_days)
    finally:
        await database.dispose()


@cli.command("purge-personal-data")
def purge_command(
    older_than_days: Annotated[
        int, typer.Option(help="erase caller numbers and identities of visits older than this")
    ] = 90,
) -> None:
    """Erase the personal data of past bookings (run daily from a systemd timer)."""
    settings = ApiSettings()
    try:
        with running_for(settings, started=_announce):
            report = asyncio.run(_purge(settings, older_than_days))
    except InvalidRequest as refused:
        raise typer.BadParameter(f"{refused.message}: {refused.details}") from refused
    console.print(
        f"personal data erased from {report.bookings_erased} bookings; "
        f"{report.holds_deleted} old holds deleted"
    )


@cli.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8080,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the HTTP API (OpenAPI docs at /docs). Uvicorn's access log is off: it would log
    query strings, which may hold passport digits; the app logs path templates instead.
    Every log line, uvicorn's included, is masked (``api.privacy``). The embedded database,
    if the settings name it, runs while the service does."""
    settings = ApiSettings()
    log_config = logging_config(log_level)  # here, and handed to every worker process
    logging.config.dictConfig(log_config)
    with running_for(settings, started=_announce):
        console.print(
            f"slot service on http://{host}:{port} (API docs: http://{host}:{port}/docs)"
        )
        run = functools.partial(
            uvicorn.run,
            host=host,
            port=port,
            access_log=False,
            log_level=log_level,
            log_config=log_config,
        )
        if workers > 1:  # each worker process builds its app from the same environment
            run("api.app:create_app_from_environment", factory=True, workers=workers)
        else:
            run(create_app(settings))


@db_cli.command("start")
def db_start_command() -> None:
    """Start the embedded PostgreSQL (initdb on first use) and leave it running."""
    server = EmbeddedPostgres(ApiSettings().embedded)
    started = server.start()
    state = "started" if started else "already running"
    console.print(f"embedded PostgreSQL {state}: {_where(server)}")


@db_cli.command("stop")
def db_stop_command() -> None:
    """Stop the embedded PostgreSQL (its data stays for the next start)."""
    server = EmbeddedPostgres(ApiSettings().embedded)
    stopped = server.stop()
    console.print(f"embedded PostgreSQL {'stopped' if stopped else 'was not running'}")


@db_cli.command("status")
def db_status_command() -> None:
    """Whether the embedded PostgreSQL runs (exit status 3 if it does not, as pg_ctl)."""
    server = EmbeddedPostgres(ApiSettings().embedded)
    status = server.status()
    if not status.running:
        console.print(f"embedded PostgreSQL not running (data {server.data_dir})")
        raise typer.Exit(3)
    console.print(f"embedded PostgreSQL running, pid {status.pid}: {_where(server)}")


def _where(server: EmbeddedPostgres) -> str:
    return f"{server.url} (data {server.data_dir})"


def _announce(server: EmbeddedPostgres) -> None:
    console.print(f"embedded PostgreSQL started for this command: {_where(server)}")


def main() -> None:
    try:
        cli()
    except EmbeddedDatabaseError as error:
        console.print(f"[red]{error.message}[/red]")
        raise SystemExit(1) from error
