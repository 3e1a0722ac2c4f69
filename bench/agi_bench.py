"""FastAGI transport benchmark: our server against panoramisk 1.4's FastAGI `Application`.

    .venv/bin/python bench/agi_bench.py [--calls-concurrent 1000] [--calls-total 3000]
                                        [--pacing-ms 1000] [--handler package.module:factory]
                                        [--days 180]

Each server runs in its own process (so its memory is measured alone); this process plays N
concurrent callers with the fake Asterisk's simulator (tests/fakes). Every call runs the AGI
command sequence of a full booking call by an expert caller (language, region, office, visit
type, passport, birth date, read-back, slot offer, reference read out twice, goodbye, the
IVR_* variables). `--handler` plugs in a real route factory for our server instead (e.g. the
booking flow): the bench then starts `slot-service serve` on a fresh PostgreSQL database
(on the embedded PostgreSQL when the server at IVR_TEST_POSTGRES_DSN is unreachable, said on
the output) with `--days` of slots, and only
calls ending in IVR_RESULT=booked count (booked_per_s); panoramisk always runs the script.

Three runs per server, each with N calls live at once:
- memory: N calls held half-way through; kb_per_call is the server's RSS growth divided by N;
- saturated: N calls in flight replying at once, `--calls-total` per round, rounds alternated
  between the two servers so both see the same machine load: calls_per_s (median of rounds)
  and turnaround_p99_ms_saturated, which is then only queueing (N / command rate);
- paced: N calls arriving over `--ramp-s` seconds, where each prompt "plays" for a random
  time of mean `--pacing-ms` (default 1 s; real prompts last 1-5 s), so all N are live at
  once for most of the run: turnaround_p99_ms, the time from the fake Asterisk writing a
  reply to reading our next command, as the caller side sees it (it includes the caller
  process's own scheduling delays on a shared machine); `--paced-rounds` (2) per server,
  alternated like the saturated rounds, the median of the rounds' p99 counts.
caller_loop_lag_p99_ms (how late the callers' loop wakes from a 10 ms sleep during the paced
run) shows how much of that tail is the caller side and the machine's load. server_cpu_ms_per_call
(CPU time of the server process per saturated call) is the figure least disturbed by other load.
Caller time (expert_seconds, first_time_seconds: seconds of prompt audio from answer to
booking, worst language) comes from bench/caller_time.py over build/sounds/manifest.json.
The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import logging
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ivr.agi.channel import AgiChannel, AgiHandler  # noqa: E402
from ivr.agi.protocol import format_command  # noqa: E402
from tests.fakes.fake_asterisk import (  # noqa: E402
    AsteriskSimulator,
    CallerEvent,
    Press,
    Silence,
    agi_environment,
)

Step = tuple[str, ...]
T = TypeVar("T")

# The AGI commands of one full booking by an English expert caller (docs/architecture.md):
# keys 2, 1, 1, 1, passport + #, DDMMYYYY, 1 (confirm), 1 (accept); prompts as L/ivr/<id>.
BOOKING_STEPS: list[Step] = [
    ("stream", "cs/ivr/welcome", "12345"),
    ("stream", "cs/ivr/language-option", "12345"),
    ("set", "CHANNEL(language)", "en"),
    ("set", "IVR_LANGUAGE", "en"),
    ("stream", "en/ivr/region-menu", "012*"),
    ("stream", "en/ivr/office-menu", "01234*"),
    ("set", "IVR_OFFICE", "praha-zukovskeho"),
    ("stream", "en/ivr/visit-type-menu", "01234567*"),
    ("set", "IVR_VISIT_TYPE", "ltr-new"),
    ("get_data", "en/ivr/passport-prompt", "5000", "20"),
    ("get_data", "en/ivr/birthdate-prompt", "5000", "8"),
    ("stream", "en/ivr/readback-passport", "0*"),
    *[("stream", f"en/ivr/digit-{digit}", "0*") for digit in "12345678"],
    ("stream", "en/ivr/readback-birthdate", "0*"),
    ("stream", "en/ivr/day-1", "0*"),
    ("stream", "en/ivr/month-2", "0*"),
    ("stream", "en/ivr/year-1990", "0*"),
    ("stream", "en/ivr/confirm-menu", "012*"),
    ("stream", "en/ivr/searching", ""),
    ("stream", "en/ivr/slot-offer", "0123*"),
    ("stream", "en/ivr/weekday-2", "0123*"),
    ("stream", "en/ivr/day-5", "0123*"),
    ("stream", "en/ivr/month-1", "0123*"),
    ("stream", "en/ivr/time-9-30", "0123*"),
    ("stream", "en/ivr/slot-offer-office", "0123*"),
    ("stream", "en/ivr/office-praha-zukovskeho", "0123*"),
    ("stream", "en/ivr/slot-menu", "0123*"),
    ("stream", "en/ivr/booking-confirmed", "1"),
    *[("stream", f"en/ivr/group-{group}", "1") for group in ("12", "34", "56", "78")],
    ("stream", "en/ivr/reference-again", "1"),
    *[("stream", f"en/ivr/group-{group}", "1") for group in ("12", "34", "56", "78")],
    ("stream", "en/ivr/reference-menu", "1"),
    ("wait", "3000"),
    ("stream", "en/ivr/goodbye", ""),
    ("set", "IVR_RESULT", "booked"),
]
_call_numbers = itertools.count(1)


def expert_caller(call_number: int) -> tuple[str, list[CallerEvent]]:
    """Caller number and keys of one expert booking call; number and passport differ per call,
    so that a real flow plugged in with --handler finds no earlier booking of the same caller
    and no identity limit."""
    passport = str(10_000_000 + call_number)
    keys: list[CallerEvent] = [
        Press("2"),
        Press("1"),
        Press("1"),
        Press("1"),
        Press(passport + "#"),
        Press("01021990"),
        Press("1"),
        Press("1"),
        Silence(),
    ]
    return f"+420{700_000_000 + call_number}", keys


HOLD_AFTER_COMMANDS = len(BOOKING_STEPS) // 2  # where calls wait while memory is measured


def step_line(step: Step) -> bytes:
    kind, *args = step
    if kind == "stream":
        return format_command("STREAM", "FILE", quoted=(args[0], args[1]))
    if kind == "get_data":
        return format_command("GET", "DATA", quoted=(args[0], args[1], args[2]))
    if kind == "wait":
        return format_command("WAIT", "FOR", "DIGIT", args[0])
    return format_command("SET", "VARIABLE", quoted=(args[0], args[1]))


async def run_steps_on_channel(channel: AgiChannel) -> None:
    for kind, *args in BOOKING_STEPS:
        if kind == "stream":
            await channel.stream_file(args[0], args[1])
        elif kind == "get_data":
            await channel.get_data(args[0], int(args[1]), int(args[2]))
        elif kind == "wait":
            await channel.wait_for_digit(int(args[0]))
        else:
            await channel.set_variable(args[0], args[1])


def create_scripted_handler(**_: object) -> AgiHandler:
    return run_steps_on_channel


# ---------------------------------------------------------------- server processes


def raise_file_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def serve_ours(handler_path: str | None) -> None:
    from prometheus_client import CollectorRegistry

    from ivr.agi.metrics import AgiMetrics
    from ivr.agi.routing import resolve_factory
    from ivr.agi.server import FastAgiServer, freeze_startup_objects
    from ivr.agi.settings import AgiSettings

    metrics = AgiMetrics(registry=CollectorRegistry())
    factory = resolve_factory(handler_path) if handler_path else create_scripted_handler
    settings = AgiSettings(
        port=0, max_concurrent_calls=100_000, listen_backlog=4096, shutdown_grace_s=5
    )
    server = FastAgiServer(
        settings=settings, routes={"booking": factory(metrics=metrics)}, metrics=metrics
    )
    await server.start()
    freeze_startup_objects()  # as ivr.agi.server.serve() does in production
    await announce_and_wait(server.port)
    await server.shutdown()


async def serve_panoramisk() -> None:
    from panoramisk.fast_agi import Application, Request

    lines = [step_line(step).decode().rstrip("\n") for step in BOOKING_STEPS]

    async def booking(request: Request) -> None:
        for line in lines:
            await request.send_command(line)

    app = Application(loop=asyncio.get_running_loop())
    app.add_route("booking", booking)
    server = await asyncio.start_server(app.handler, "127.0.0.1", 0, backlog=4096)
    await announce_and_wait(server.sockets[0].getsockname()[1])
    server.close()


async def announce_and_wait(port: int) -> None:
    print(f"PORT {port}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin


# ---------------------------------------------------------------- slot service (--handler)

QUIET = ("--log-level", "warning")
ADMIN_DSN = os.environ.get("IVR_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@asynccontextmanager
async def prepared_database(days: int, folder: Path) -> AsyncIterator[tuple[str, str]]:
    """A migrated, seeded database and its kind: a fresh one on the PostgreSQL server at
    IVR_TEST_POSTGRES_DSN (dropped afterwards), or the embedded PostgreSQL in `folder` when
    that server cannot be reached (stopped afterwards)."""
    from api.app import create_app
    from api.clock import SystemClock
    from api.embedded import EmbeddedPostgres
    from api.settings import ApiSettings, EmbeddedDatabaseSettings
    from api.testing import create_database, drop_database, new_database_name, prepare

    embedded: EmbeddedPostgres | None = None
    try:
        url = await create_database(ADMIN_DSN, name=new_database_name("ivr_agibench"))
    except (OSError, TimeoutError) as error:
        print(f"PostgreSQL unreachable ({error!r}): the slot service runs on the embedded "
              "PostgreSQL", flush=True)
        folder.chmod(0o755)  # run as root, the server's own user enters it
        embedded = EmbeddedPostgres(
            EmbeddedDatabaseSettings(data_dir=folder / "postgres", port=free_port())
        )
        await asyncio.to_thread(embedded.start)
        url = embedded.url
    try:
        app = create_app(ApiSettings(database_url=url), clock=SystemClock())
        try:
            await prepare(app, days=days)
        finally:
            await app.state.services.context.database.dispose()
        yield url, "postgresql" if embedded is None else "embedded-postgresql"
    finally:
        if embedded is None:
            await drop_database(ADMIN_DSN, url)
        else:
            await asyncio.to_thread(embedded.stop)


async def wait_for_health(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    import httpx

    deadline = time.monotonic() + 60
    async with httpx.AsyncClient() as client:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"slot-service exited: {log.read_text()[-2000:]}")
            try:
                if (await client.get(f"{url}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass  # not listening yet
            if time.monotonic() > deadline:
                raise TimeoutError(f"slot service at {url} not healthy after 60 s")
            await asyncio.sleep(0.3)


@asynccontextmanager
async def slot_service(days: int) -> AsyncIterator[tuple[str, str]]:
    """`slot-service serve` on a fresh database; yields its URL and the database kind."""
    with tempfile.TemporaryDirectory(prefix="agi-bench-") as folder_name:
        folder = Path(folder_name)
        async with prepared_database(days, folder) as (database_url, kind):
            port = free_port()
            log = folder / "slot-service.log"
            process = subprocess.Popen(
                [str(REPO / ".venv/bin/slot-service"), "serve", "--port", str(port), *QUIET],
                env={**os.environ, "SLOTS_DATABASE_URL": database_url},
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
                start_new_session=True,
            )
            url = f"http://127.0.0.1:{port}"
            try:
                await wait_for_health(url, process, log)
                yield url, kind
            finally:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


# ---------------------------------------------------------------- callers


@dataclass
class CallerStats:
    turnarounds_s: list[float] = field(default_factory=list)
    loop_lags_s: list[float] = field(default_factory=list)
    completed: int = 0
    failed: int = 0
    results: Counter[str] = field(default_factory=Counter)


async def one_call(
    port: int,
    stats: CallerStats,
    hold: asyncio.Event | None,
    held: Callable[[], None],
    pacing_s: float = 0.0,
) -> None:
    call_number = next(_call_numbers)
    callerid, keys = expert_caller(call_number)
    simulator = AsteriskSimulator(caller=keys, language="cs")
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(
            agi_environment(
                network_script="booking",
                request=f"agi://127.0.0.1:{port}/booking",
                callerid=callerid,
            )
        )
        async with asyncio.timeout(600):  # one timer per call, not per line
            await converse(
                reader, writer, simulator, stats, hold, held, pacing_s, random.Random(call_number)
            )
    except ConnectionError as error:
        stats.failed += 1
        print(f"call {call_number}: {error!r}", file=sys.stderr)
    finally:
        writer.close()


async def converse(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    simulator: AsteriskSimulator,
    stats: CallerStats,
    hold: asyncio.Event | None,
    held: Callable[[], None],
    pacing_s: float,
    pacer: random.Random,
) -> None:
    await writer.drain()
    replied_at: float | None = None
    commands = 0
    while True:
        line = await reader.readline()
        if replied_at is not None and line:
            stats.turnarounds_s.append(time.perf_counter() - replied_at)
        if not line:
            break
        commands += 1
        if hold is not None and commands == HOLD_AFTER_COMMANDS:
            held()
            await hold.wait()
        command = line.decode("utf-8", "replace").rstrip("\n")
        if pacing_s and not command.startswith("SET "):  # the caller listens, then keys
            await asyncio.sleep(pacer.uniform(0, 2 * pacing_s))
        replies = simulator.handle(command)
        writer.write("".join(f"{reply}\n" for reply in replies).encode())
        replied_at = time.perf_counter()
    transcript = simulator.transcript
    result = transcript.variables.get("IVR_RESULT", "none")
    if result == "fallout":
        result += ":" + transcript.variables.get("IVR_FALLOUT_REASON", "?")
    stats.results[result] += 1
    if result == "booked" and not transcript.caller_hung_up:
        stats.completed += 1
    else:
        stats.failed += 1


async def start_server_process(
    kind: str, handler_path: str | None, env: dict[str, str] | None = None, loop: str = "asyncio"
) -> tuple[asyncio.subprocess.Process, int]:
    argv = [sys.executable, __file__, "--serve", kind, "--loop", loop]
    if handler_path:
        argv += ["--handler", handler_path]
    process = await asyncio.create_subprocess_exec(
        *argv,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert process.stdout is not None
    line = await asyncio.wait_for(process.stdout.readline(), 30)
    if not line.startswith(b"PORT "):
        raise RuntimeError(f"{kind} server did not start: {line!r}")
    return process, int(line.split()[1])


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def measure_memory(port: int, pid: int, concurrent: int) -> float:
    """RSS growth of the server with `concurrent` calls held mid-call, per held call (KB).

    A call that ends before the hold point (a real flow falling out early) counts as arrived,
    so the wait cannot hang on it; the hold is released whatever happens, so that the calls
    end and the server process can stop."""
    warmup = CallerStats()
    await asyncio.gather(*(one_call(port, warmup, None, lambda: None) for _ in range(20)))
    baseline = rss_kb(pid)
    hold = asyncio.Event()
    held_calls = 0
    ended_early = 0
    all_arrived = asyncio.Event()

    def arrived() -> None:
        if held_calls + ended_early >= concurrent:
            all_arrived.set()

    def held() -> None:
        nonlocal held_calls
        held_calls += 1
        arrived()

    async def call() -> None:
        nonlocal ended_early
        await one_call(port, stats, hold, held)
        if not hold.is_set():
            ended_early += 1
            arrived()

    stats = CallerStats()
    calls = [asyncio.create_task(call()) for _ in range(concurrent)]
    try:
        await asyncio.wait_for(all_arrived.wait(), 120)
        await asyncio.sleep(0.2)
        live = rss_kb(pid)
    finally:
        hold.set()
        await asyncio.gather(*calls, return_exceptions=True)
    if held_calls == 0:
        raise RuntimeError(f"no call reached command {HOLD_AFTER_COMMANDS}; {stats.failed} failed")
    if ended_early:
        print(f"memory: {ended_early} calls ended before the hold point", file=sys.stderr)
    return (live - baseline) / held_calls


async def measure_throughput(
    port: int, concurrent: int, total: int, pacing_s: float = 0.0, ramp_s: float = 0.0
) -> tuple[float, CallerStats]:
    """`total` calls, `concurrent` at a time; with `pacing_s`, replies to commands that play
    or wait for keys come after a random delay of that mean (the caller listening); with
    `ramp_s`, calls start spread over that time, as they arrive on a real line."""
    stats = CallerStats()
    slots = asyncio.Semaphore(concurrent)
    arrivals = random.Random(total)

    async def bounded() -> None:
        if ramp_s:
            await asyncio.sleep(arrivals.uniform(0, ramp_s))
        async with slots:
            await one_call(port, stats, None, lambda: None, pacing_s)

    done = asyncio.Event()
    monitor = asyncio.create_task(watch_loop_lag(stats.loop_lags_s, done))
    started = time.perf_counter()
    await asyncio.gather(*(bounded() for _ in range(total)))
    elapsed = time.perf_counter() - started
    done.set()
    await monitor
    return stats.completed / elapsed, stats


async def watch_loop_lag(lags_s: list[float], done: asyncio.Event) -> None:
    """How late the callers' own event loop wakes up: the part of a measured turnaround that is
    the caller side (and the machine's load), not the server."""
    while not done.is_set():
        started = time.perf_counter()
        await asyncio.sleep(0.01)
        lags_s.append(time.perf_counter() - started - 0.01)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (its own, not the callers')."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p99(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98] if values else 0.0


@dataclass
class ServerUnderTest:
    kind: str
    process: asyncio.subprocess.Process
    port: int
    calls_per_s: list[float] = field(default_factory=list)
    cpu_ms_per_call: list[float] = field(default_factory=list)
    saturated: CallerStats = field(default_factory=CallerStats)
    figures: dict[str, float] = field(default_factory=dict)
    paced_p50_ms: list[float] = field(default_factory=list)
    paced_p99_ms: list[float] = field(default_factory=list)
    paced_lag_p99_ms: list[float] = field(default_factory=list)


async def run_bench(
    *,
    concurrent: int,
    total: int,
    pacing_s: float,
    ramp_s: float,
    rounds: int,
    paced_rounds: int,
    handler_path: str | None,
    server_env: dict[str, str] | None = None,
    loop: str = "asyncio",
) -> dict[str, object]:
    servers = [
        ServerUnderTest(
            "ours", *await start_server_process("ours", handler_path, server_env, loop)
        ),
        ServerUnderTest("panoramisk", *await start_server_process("panoramisk", None, None, loop)),
    ]
    try:
        for server in servers:
            server.figures["kb_per_call"] = await measure_memory(
                server.port, server.process.pid, concurrent
            )
        # Alternate the saturated runs so that both servers see the same machine load.
        for _ in range(rounds):
            for server in servers:
                cpu_before = cpu_seconds(server.process.pid)
                calls_per_s, stats = await measure_throughput(server.port, concurrent, total)
                server.cpu_ms_per_call.append(
                    (cpu_seconds(server.process.pid) - cpu_before) * 1000 / max(stats.completed, 1)
                )
                server.calls_per_s.append(calls_per_s)
                server.saturated.turnarounds_s += stats.turnarounds_s
                server.saturated.failed += stats.failed
                server.saturated.results += stats.results
        # The paced runs are alternated too: their tail follows the machine's load.
        for _ in range(paced_rounds):
            for server in servers:
                _, paced = await measure_throughput(
                    server.port, concurrent, concurrent, pacing_s, ramp_s
                )
                server.paced_p50_ms.append(statistics.median(paced.turnarounds_s) * 1000)
                server.paced_p99_ms.append(p99(paced.turnarounds_s) * 1000)
                server.paced_lag_p99_ms.append(p99(paced.loop_lags_s) * 1000)
                server.saturated.failed += paced.failed
        for server in servers:
            server.figures.update(
                calls_per_s=statistics.median(server.calls_per_s),
                cpu_ms_per_call=statistics.median(server.cpu_ms_per_call),
                turnaround_p50_ms=statistics.median(server.paced_p50_ms),
                turnaround_p99_ms=statistics.median(server.paced_p99_ms),
                caller_loop_lag_p99_ms=statistics.median(server.paced_lag_p99_ms),
                turnaround_p99_ms_saturated=p99(server.saturated.turnarounds_s) * 1000,
                failed=server.saturated.failed,
            )
            rounds_text = ", ".join(f"{rate:.1f}" for rate in server.calls_per_s)
            paced_text = ", ".join(
                f"{tail:.1f} (lag {lag:.1f})"
                for tail, lag in zip(server.paced_p99_ms, server.paced_lag_p99_ms, strict=True)
            )
            print(f"{server.kind:>11}: paced rounds' p99 turnaround ms {paced_text}", flush=True)
            print(
                f"{server.kind:>11}: saturated {rounds_text}"
                f" calls/s (p99 turnaround {server.figures['turnaround_p99_ms_saturated']:.0f}"
                f" ms, server CPU {server.figures['cpu_ms_per_call']:.2f} ms per call); "
                f"{concurrent} live paced calls: turnaround p50 "
                f"{server.figures['turnaround_p50_ms']:.2f} ms p99 "
                f"{server.figures['turnaround_p99_ms']:.2f} ms (callers' own loop lag p99 "
                f"{server.figures['caller_loop_lag_p99_ms']:.2f} ms); "
                f"{server.figures['kb_per_call']:.1f} KB per live call; "
                f"{int(server.figures['failed'])} failed",
                flush=True,
            )
            if server.saturated.failed:
                print(f"{server.kind:>11}: saturated call results {dict(server.saturated.results)}")
    finally:
        for server in servers:
            assert server.process.stdin is not None
            server.process.stdin.close()
            try:
                await asyncio.wait_for(server.process.wait(), 30)
            except TimeoutError:
                print(f"{server.kind} server did not stop within 30 s: killed", file=sys.stderr)
                server.process.kill()
                await server.process.wait()
    ours, theirs = servers[0].figures, servers[1].figures
    return {
        "concurrent_calls": concurrent,
        "total_calls_per_round": total,
        "rounds": rounds,
        "paced_rounds": paced_rounds,
        "agi_commands_per_call": len(BOOKING_STEPS),
        "pacing_ms": round(pacing_s * 1000),
        "ramp_s": ramp_s,
        "handler": handler_path or "scripted-booking-sequence",
        "event_loop": loop,
        "calls_per_s": round(ours["calls_per_s"], 1),
        "calls_per_s_panoramisk": round(theirs["calls_per_s"], 1),
        "ratio_vs_panoramisk": round(ours["calls_per_s"] / theirs["calls_per_s"], 2),
        "turnaround_p50_ms": round(ours["turnaround_p50_ms"], 2),
        "turnaround_p99_ms": round(ours["turnaround_p99_ms"], 2),
        "turnaround_p99_ms_panoramisk": round(theirs["turnaround_p99_ms"], 2),
        "caller_loop_lag_p99_ms": round(ours["caller_loop_lag_p99_ms"], 2),
        "turnaround_p99_ms_saturated": round(ours["turnaround_p99_ms_saturated"], 1),
        "turnaround_p99_ms_saturated_panoramisk": round(theirs["turnaround_p99_ms_saturated"], 1),
        "server_cpu_ms_per_call": round(ours["cpu_ms_per_call"], 2),
        "server_cpu_ms_per_call_panoramisk": round(theirs["cpu_ms_per_call"], 2),
        "kb_per_call": round(ours["kb_per_call"], 1),
        "kb_per_call_panoramisk": round(theirs["kb_per_call"], 1),
        "failed_calls": int(ours["failed"] + theirs["failed"]),
        "call_results": dict(servers[0].saturated.results),
    }


def run_on_loop(main: Coroutine[object, object, T], loop: str) -> T:
    """asyncio.run on the standard event loop or on uvloop's (the same for all three
    processes of a run, so that the comparison stays fair)."""
    if loop == "uvloop":
        import uvloop

        with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
            return runner.run(main)
    return asyncio.run(main)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls-concurrent", type=int, default=1000)
    parser.add_argument(
        "--calls-total",
        type=int,
        default=0,
        help="calls per saturated round; default: 2 x concurrent",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="saturated rounds per server, alternated; the median counts",
    )
    parser.add_argument(
        "--paced-rounds",
        type=int,
        default=2,
        help="paced runs per server, alternated; the median of their p99 counts",
    )
    parser.add_argument(
        "--pacing-ms",
        type=float,
        default=1000.0,
        help="mean caller time per prompt in the paced run (real prompts: 1-5 s)",
    )
    parser.add_argument(
        "--ramp-s",
        type=float,
        default=10.0,
        help="the paced run's calls arrive spread over this many seconds",
    )
    parser.add_argument(
        "--handler", default=None, help="route factory for our server, 'package.module:factory'"
    )
    parser.add_argument(
        "--days",
        type=int,
        default=180,
        help="with --handler: days of slots materialised in the slot service's fresh database",
    )
    parser.add_argument(
        "--loop",
        choices=["asyncio", "uvloop"],
        default="asyncio",
        help="event loop of the callers and of both servers (ivr serve runs on asyncio's)",
    )
    parser.add_argument("--serve", choices=["ours", "panoramisk"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    raise_file_limit()
    if args.serve:
        logging.basicConfig(level=logging.WARNING, format=f"{args.serve} server %(message)s")
    if args.serve == "ours":
        run_on_loop(serve_ours(args.handler), args.loop)
        return
    if args.serve == "panoramisk":
        run_on_loop(serve_panoramisk(), args.loop)
        return
    total = args.calls_total or 2 * args.calls_concurrent
    print(
        f"FastAGI benchmark: {args.calls_concurrent} concurrent calls, {total} per round, "
        f"{len(BOOKING_STEPS)} AGI commands each (python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores)",
        flush=True,
    )
    result = run_on_loop(bench_main(args, total), args.loop)
    print(json.dumps(result))


def caller_time_figures() -> dict[str, object]:
    """Seconds of prompt audio heard from answer to booking (bench/caller_time.py, from the
    real flow and build/sounds/manifest.json; `make prompts` builds them): the worst language's
    for an expert who keys ahead and for a first-time caller, and which language that is."""
    from bench.caller_time import SOUNDS_DIR, caller_times
    from prompts.manifest import Manifest

    figures = caller_times(Manifest.load(SOUNDS_DIR))
    keys = ("expert_seconds", "expert_language", "first_time_seconds", "first_time_language")
    print(
        f"caller time (worst language): expert {figures['expert_seconds']} s "
        f"({figures['expert_language']}), first time {figures['first_time_seconds']} s "
        f"({figures['first_time_language']})",
        flush=True,
    )
    return {key: figures[key] for key in keys}


async def bench_main(args: argparse.Namespace, total: int) -> dict[str, object]:
    caller_time = caller_time_figures()  # first: a missing manifest fails before the long run
    return {**await run_servers(args, total), **caller_time}


async def run_servers(args: argparse.Namespace, total: int) -> dict[str, object]:
    options = dict(
        concurrent=args.calls_concurrent,
        total=total,
        pacing_s=args.pacing_ms / 1000,
        ramp_s=args.ramp_s,
        rounds=args.rounds,
        paced_rounds=args.paced_rounds,
        handler_path=args.handler,
        loop=args.loop,
    )
    if not args.handler:
        return await run_bench(**options)
    # A real flow talks to a real slot service: one on a fresh database, for this run only.
    async with slot_service(args.days) as (url, database):
        print(f"slot service {url} on {database}, {args.days} days of slots", flush=True)
        result = await run_bench(**options, server_env={"IVR_SLOTS_BASE_URL": url})
    # Only calls that ended with IVR_RESULT=booked count as completed in this mode.
    return {**result, "booked_per_s": result["calls_per_s"], "slot_service_database": database}


if __name__ == "__main__":
    main()
