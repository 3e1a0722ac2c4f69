"""Load test of the whole call path (``make bench-load``).

Many simulated callers (the fake Asterisk of tests/fakes, over TCP) book through FastAGI
(``ivr serve`` processes), the booking flow, the slot client and the slot service
(``slot-service serve`` processes) on PostgreSQL, all at once:

1. one FastAGI process + one slot-service process;
2. two FastAGI processes + two slot-service processes sharing one database, the callers
   dealt round-robin over the FastAGI processes (FastAGI process i uses slot service i).

Each configuration gets a fresh database (same seed, same free seats) on the PostgreSQL server
at ``IVR_TEST_POSTGRES_DSN`` (default 127.0.0.1:5432, a database of its own, dropped after).
``--concurrency`` callers keep calling for ``--seconds``; each call is the English first-time
caller of docs/architecture.md, spread over the Prague offices and the first three visit types,
so callers race for the same earliest seats. A call counts when its AGI session ended (booked,
or handed to an operator: no slots left, identity limits). Afterwards every slot is checked:
bookings above its seats, or a seat counter that disagrees with its confirmed bookings, count as
overbooked.

Ends with one JSON line: ``calls_per_s_one_each``, ``calls_per_s_two_each``,
``booked_per_s_*``, ``overbooked_slots``, ``scaling`` (two/one), the load average and CPUs.
The load generator runs in this process and shares the machine's cores with the servers and
PostgreSQL: on a small machine the figures show contention as much as capacity.

CPU, per process kind (``fastagi``, ``slot_services``, ``postgres``: the server processes of
this run's database, read from /proc; ``load_generator``: this process), in two forms: cores
(CPU seconds per second of the measured window) and **ms of CPU per booked call** (the kind's
CPU over the window divided by the calls booked in it). Then, against the machine's limit:
``booked_per_core`` (booked calls per second per core used by all four kinds: the efficiency
of the whole path), ``cores_used`` and, for the two configurations together,
``scaling_ceiling`` (``cpus`` / cores used by one + one: the most a second process of each
part can add on this machine when the path is CPU-bound) and ``scaling_of_ceiling``
(``scaling`` / ``scaling_ceiling``: near 1, two processes take all the machine has left).
``--pairs 1`` runs one configuration only (quick comparisons).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.clock import SystemClock  # noqa: E402
from api.db import asyncpg_dsn  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from api.testing import (  # noqa: E402
    create_database,
    database_name,
    drop_database,
    new_database_name,
    prepare,
)
from tests.fakes.fake_asterisk import CallerEvent, FakeAsterisk, Press, Silence  # noqa: E402

console = Console(stderr=True)
ADMIN_DSN = os.environ.get("IVR_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
OVERBOOKED_SQL = """
SELECT count(*) FROM slots s
WHERE s.booked_phone + s.booked_operator + s.booked_counter
      > s.seats_phone + s.seats_operator + s.seats_counter
   OR s.booked_phone <> (SELECT count(*) FROM bookings b
                         WHERE b.slot_id = s.id AND b.channel = 'phone'
                           AND b.status IN ('confirmed', 'attended', 'no-show'))
"""


CPU_KEYS = ("fastagi", "slot_services", "postgres", "load_generator")
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


def cpu_seconds_of(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc); 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_S


def postgres_backends(database: str) -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL server process connected to ``database`` (its
    title is ``postgres: … <user> <database> <client> <state>``); empty if /proc shows none,
    e.g. a server on another machine. A URL would match no process and read as zero CPU, so
    it is refused."""
    if "/" in database or ":" in database:
        raise ValueError(f"postgres_backends takes a database name, not {database!r}")
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and f" {database} " in title:
            found[int(entry.name)] = cpu_seconds_of(int(entry.name))
    return found


def postgres_cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU of the backends between two readings; one that started in between counts whole
    (a backend that exited in between is not seen: the servers keep their pools open)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def fresh_database(days: int) -> str:
    """A new database on the server at ADMIN_DSN, migrated and seeded; its URL."""
    url = await create_database(ADMIN_DSN, name=new_database_name("ivr_load"))
    app = create_app(ApiSettings(database_url=url), clock=SystemClock())
    try:
        await prepare(app, days=days)
    finally:
        await app.state.services.context.database.dispose()
    return url


@dataclass
class Processes:
    started: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: list[Path] = field(default_factory=list)

    def start(self, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.logs.append(log)
        self.started.append(subprocess.Popen(
            argv, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
            stderr=log.open("wb"), start_new_session=True,
        ))

    def cpu_seconds(self) -> list[float]:
        """User + system CPU time of each process so far (Linux /proc)."""
        return [cpu_seconds_of(process.pid) for process in self.started]

    def check_alive(self) -> None:
        for process, log in zip(self.started, self.logs, strict=True):
            if process.poll() is not None:
                raise RuntimeError(f"{process.args!r} exited: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.terminate()
        for process in self.started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


async def wait_for_port(port: int, processes: Processes, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        processes.check_alive()
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {port} after {timeout_s} s") from None
            await asyncio.sleep(0.2)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def start_stack(
    database: str, pairs: int, folder: Path, log_level: str = "WARNING"
) -> tuple[Processes, list[int]]:
    """``pairs`` × (slot service, FastAGI server using it); returns the FastAGI ports."""
    processes = Processes()
    agi_ports = []
    url = database
    for index in range(pairs):
        api_port, agi_port = free_port(), free_port()
        processes.start(
            [str(ROOT / ".venv/bin/slot-service"), "serve", "--port", str(api_port),
             "--log-level", "warning"],
            {"SLOTS_DATABASE_URL": url, "SLOTS_DATABASE_POOL_SIZE": "10"},
            folder / f"slot-service-{index}.log",
        )
        processes.start(
            [str(ROOT / ".venv/bin/ivr"), "serve", "--port", str(agi_port),
             "--slots-url", f"http://127.0.0.1:{api_port}"],
            {"IVR_LOG_LEVEL": log_level},
            folder / f"ivr-serve-{index}.log",
        )
        await wait_for_port(api_port, processes)
        async with httpx.AsyncClient() as client:  # the engine's pool reaches the database
            (await client.get(f"http://127.0.0.1:{api_port}/healthz")).raise_for_status()
        await wait_for_port(agi_port, processes)
        agi_ports.append(agi_port)
    return processes, agi_ports


@dataclass
class Outcome:
    results: Counter[str] = field(default_factory=Counter)
    durations: list[float] = field(default_factory=list)


async def caller_loop(
    ports: list[int], numbers: itertools.count[int], deadline: float, outcome: Outcome
) -> None:
    while time.monotonic() < deadline:
        number = next(numbers)
        port = ports[number % len(ports)]  # round-robin over the FastAGI processes
        keys: list[CallerEvent] = [
            Press("2"), Press("1"), Press(str(1 + number % 4)), Press(str(1 + number % 3)),
            Press(f"{10000000 + number}#"), Press("05011990"), Press("1"), Press("1"), Silence(),
        ]
        started = time.monotonic()
        fake = FakeAsterisk(port=port, caller=keys, callerid=f"+4207{number:08d}",
                            reply_timeout_s=30.0)
        transcript = await fake.run()
        variables = transcript.variables
        result = variables.get("IVR_RESULT", "none")
        if result == "fallout":
            result = f"fallout:{variables.get('IVR_FALLOUT_REASON')}"
        outcome.results[result] += 1
        outcome.durations.append(time.monotonic() - started)


async def run_configuration(
    pairs: int, args: argparse.Namespace, folder: Path
) -> dict[str, object]:
    database = await fresh_database(args.days)
    processes, ports = await start_stack(database, pairs, folder, args.ivr_log_level)
    try:
        outcome, numbers = Outcome(), itertools.count(pairs * 1_000_000)
        warm = time.monotonic() + 1.0
        await asyncio.gather(*(caller_loop(ports, numbers, warm, Outcome())
                               for _ in range(min(4, args.concurrency))))
        cpu_before, own_before = processes.cpu_seconds(), time.process_time()
        postgres_before = postgres_backends(database_name(database))
        started = time.monotonic()
        await asyncio.gather(*(caller_loop(ports, numbers, started + args.seconds, outcome)
                               for _ in range(args.concurrency)))
        elapsed = time.monotonic() - started
        processes.check_alive()
        cpu = [after - before for after, before in zip(processes.cpu_seconds(), cpu_before,
                                                         strict=True)]
        generator_cpu = time.process_time() - own_before
        postgres_cpu = postgres_cpu_between(
            postgres_before, postgres_backends(database_name(database))
        )
    finally:
        processes.stop()
    connection = await asyncpg.connect(asyncpg_dsn(database))
    try:
        overbooked = int(await connection.fetchval(OVERBOOKED_SQL))
        bookings = int(await connection.fetchval(
            "SELECT count(*) FROM bookings WHERE status = 'confirmed'"))
    finally:
        await connection.close()
        await drop_database(ADMIN_DSN, database)
    calls = sum(outcome.results.values())
    booked = outcome.results["booked"]
    durations = sorted(outcome.durations)
    cpu_by_kind = {
        "fastagi": sum(cpu[1::2]),
        "slot_services": sum(cpu[0::2]),
        "postgres": postgres_cpu,
        "load_generator": generator_cpu,
    }
    cores_used = sum(cpu_by_kind.values()) / elapsed
    figures: dict[str, object] = {
        "pairs": pairs,
        "calls": calls,
        "calls_per_s": round(calls / elapsed, 1),
        "booked_per_s": round(outcome.results["booked"] / elapsed, 1),
        "call_p50_s": round(durations[len(durations) // 2], 3) if durations else None,
        "call_p99_s": round(durations[int(0.99 * (len(durations) - 1))], 3) if durations else None,
        "results": dict(outcome.results),
        "confirmed_in_db": bookings,
        # CPU seconds per second of the measured window: 2.0 means both cores of a 2-core box
        **{f"cpu_{kind}": round(seconds / elapsed, 2) for kind, seconds in cpu_by_kind.items()},
        "cpu_ms_per_booked_call": {
            kind: round(1000 * seconds / booked, 2) if booked else None
            for kind, seconds in cpu_by_kind.items()
        },
        "cores_used": round(cores_used, 2),
        "booked_per_core": round(booked / elapsed / cores_used, 1) if cores_used else None,
        "overbooked_slots": overbooked,
    }
    console.print(figures)
    return figures


async def main(args: argparse.Namespace) -> dict[str, object]:
    folder = Path(args.logs)
    folder.mkdir(parents=True, exist_ok=True)
    load_before = round(os.getloadavg()[0], 2)
    runs = {pairs: await run_configuration(pairs, args, folder) for pairs in args.pairs}
    figures: dict[str, object] = {}
    for pairs, run in runs.items():
        name = CONFIGURATIONS[pairs]
        figures.update({
            f"calls_per_s_{name}": run["calls_per_s"],
            f"booked_per_s_{name}": run["booked_per_s"],
            f"call_p99_s_{name}": run["call_p99_s"],
            f"cpu_{name}": {key: run[f"cpu_{key}"] for key in CPU_KEYS},
            f"cpu_ms_per_booked_call_{name}": run["cpu_ms_per_booked_call"],
            f"cores_used_{name}": run["cores_used"],
            f"booked_per_core_{name}": run["booked_per_core"],
            f"results_{name}": run["results"],
        })
    if 1 in runs and 2 in runs:
        one_rate, two_rate = float(str(runs[1]["calls_per_s"])), float(str(runs[2]["calls_per_s"]))
        scaling = two_rate / one_rate if one_rate else None
        ceiling = min(2.0, (os.cpu_count() or 1) / float(str(runs[1]["cores_used"])))
        figures.update({
            "scaling": round(scaling, 2) if scaling else None,
            "scaling_ceiling": round(ceiling, 2),
            "scaling_of_ceiling": round(scaling / ceiling, 2) if scaling else None,
        })
    figures.update({
        "overbooked_slots": sum(int(str(run["overbooked_slots"])) for run in runs.values()),
        "concurrency": args.concurrency,
        "seconds": args.seconds,
        "cpus": os.cpu_count(),
        "load_avg_1m_before": load_before,
        "load_avg_1m": round(os.getloadavg()[0], 2),
    })
    return figures


CONFIGURATIONS = {1: "one_each", 2: "two_each"}


def configurations(text: str) -> list[int]:
    pairs = [int(part) for part in text.split(",")]
    if not pairs or any(n not in CONFIGURATIONS for n in pairs):
        raise argparse.ArgumentTypeError("give 1, 2 or 1,2")
    return pairs


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=40, help="callers at once")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured time per setup")
    parser.add_argument("--days", type=int, default=14, help="days of slots in the database")
    parser.add_argument("--logs", default=str(ROOT / "build" / "load-bench"),
                        help="folder for the servers' logs")
    parser.add_argument("--ivr-log-level", default="WARNING",
                        help="IVR_LOG_LEVEL of the FastAGI processes (ivr serve's default: INFO)")
    parser.add_argument("--pairs", type=configurations, default=[1, 2],
                        help="configurations, comma-separated: 1 (one + one), 2 (two + two)")
    return parser.parse_args()


if __name__ == "__main__":
    figures = asyncio.run(main(parse_args()))
    print(json.dumps(figures))
    sys.exit(1 if figures["overbooked_slots"] else 0)
