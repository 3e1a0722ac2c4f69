"""Benchmark of the slot service on PostgreSQL (``make bench-api``).

1. A fresh database: migrations, seed, a year of slots for every office and visit type.
2. The service runs as ``slot-service serve`` in its own process (one uvicorn worker); the
   load comes from aiohttp, whose client costs far less CPU per request than httpx's on a
   machine where client and server share the cores.
3. (a) ``GET /availability`` latency, sequential requests over random offices, visit types
   and start dates: p50 and p99.
4. (b) Confirmed bookings per second through the HTTP API, hold then book, 50 concurrent
   clients, each booking a seat of its own list of slots.
5. (c) The same number of bookings by the fastest correct raw SQL on the same database: one
   statement per booking (conditional seat increment that re-checks capacity, live holds
   included, and inserts the booking), autocommit, 50 concurrent asyncpg connections.
6. Overbooked slots afterwards: seats taken (bookings and counters) above the slot's seats.

Ends with one JSON line holding every figure. Targets: p99 availability <= 10 ms,
ratio (b)/(c) >= 0.3, zero overbooked slots.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
from rich.console import Console
from rich.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.clock import SystemClock  # noqa: E402
from api.references import new_reference  # noqa: E402
from api.settings import ApiSettings  # noqa: E402
from api.testing import DEV_TOKENS, prepare  # noqa: E402

console = Console(stderr=True)
WARM_UP = 50
ADMIN_DSN = os.environ.get("IVR_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
SQL_BOOK = """
WITH seat AS (
    UPDATE slots SET booked_phone = booked_phone + 1, version = version + 1
    WHERE id = $1
      AND booked_phone + booked_operator + booked_counter
          + (SELECT count(*) FROM holds
             WHERE holds.slot_id = $1 AND status = 'active' AND expires_at > $2)
          < seats_phone + seats_operator + seats_counter
    RETURNING id, office_code, visit_type_code, starts_at, local_date
)
INSERT INTO bookings (reference, slot_id, office_code, visit_type_code, starts_at, local_date,
    caller_number, language, identity_hash, channel, status, created_at, updated_at)
SELECT $3, id, office_code, visit_type_code, starts_at, local_date, $4, 'cs', $5, 'phone',
    'confirmed', $2, $2
FROM seat
RETURNING id
"""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process (Linux /proc): less sensitive to the machine's
    other load than latencies and rates."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def create_database() -> tuple[str, str]:
    name = f"ivr_bench_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = ADMIN_DSN.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


async def drop_database(name: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


def bench_settings(url: str) -> ApiSettings:
    return ApiSettings(database_url=url.replace("postgresql://", "postgresql+asyncpg://"))


async def seed_year(url: str, days: int) -> int:
    app = create_app(bench_settings(url), clock=SystemClock())
    services = app.state.services
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"materialising {days} days of slots", total=days)
            await prepare(app, days=1)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            await services.materialise.materialise(days=days, progress=advance)
    finally:
        await services.context.database.dispose()
    connection = await asyncpg.connect(url)
    try:
        await connection.execute("ANALYZE")
        count: int = await connection.fetchval("SELECT count(*) FROM slots")
        return count
    finally:
        await connection.close()


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        SLOTS_DATABASE_URL=url.replace("postgresql://", "postgresql+asyncpg://"),
        SLOTS_DATABASE_POOL_SIZE="25",
        SLOTS_POLICY__MAX_HOLDS_PER_CALLER_PER_HOUR="1000",
    )
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/slot-service"),
            "serve",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--workers",
            str(workers),
        ],
        env=env,
    )


async def wait_ready(client: aiohttp.ClientSession) -> None:
    for _ in range(200):
        try:
            async with client.get("/healthz") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.05)
    raise RuntimeError("slot service did not start")


async def measure_availability(
    client: aiohttp.ClientSession, offers: list[tuple[str, str]], requests: int
) -> list[float]:
    rng = random.Random(7)
    today = dt.date.today()
    latencies: list[float] = []
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("GET /availability", total=requests)
        for index in range(requests + WARM_UP):
            office, visit_type = rng.choice(offers)
            after = (
                dt.datetime.combine(
                    today + dt.timedelta(days=rng.randrange(0, 330)), dt.time(7)
                ).isoformat()
                + "+01:00"
            )
            started = time.perf_counter()
            async with client.get(
                "/availability",
                params={"office": office, "visit_type": visit_type, "after": after, "limit": 5},
            ) as response:
                body = await response.read()
            elapsed = time.perf_counter() - started
            if response.status != 200:
                raise RuntimeError(body.decode())
            if index >= WARM_UP:  # warm-up excluded
                latencies.append(elapsed * 1000)
                progress.advance(task)
    return latencies


async def book_via_api(client: aiohttp.ClientSession, seats: list[int], worker: int) -> int:
    booked = 0
    for index, slot_id in enumerate(seats):
        caller = f"+4207{worker:02d}{index:06d}"
        async with client.post(
            "/holds", json={"slot_id": slot_id, "caller_number": caller, "language": "cs"}
        ) as held:
            hold = await held.json()
            if held.status != 201:
                raise RuntimeError(str(hold))
        async with client.post(
            "/bookings",
            headers={"Idempotency-Key": f"bench-{worker}-{index}"},
            json={
                "hold_id": hold["hold_id"],
                "caller_number": caller,
                "language": "cs",
                "passport_digits": f"{worker:03d}{index:07d}",
                "birth_date": "1990-01-01",
            },
        ) as response:
            body = await response.json()
            if response.status != 201:
                raise RuntimeError(str(body))
        booked += 1
    return booked


async def book_via_sql(pool: asyncpg.Pool, seats: list[int], worker: int) -> int:
    booked = 0
    for index, slot_id in enumerate(seats):
        row = None
        while row is None:
            try:
                async with pool.acquire() as connection:
                    row = await connection.fetchrow(
                        SQL_BOOK,
                        slot_id,
                        dt.datetime.now(dt.UTC).replace(tzinfo=None),
                        new_reference(),
                        f"+4208{worker:02d}{index:06d}",
                        secrets.token_hex(32),
                    )
            except asyncpg.UniqueViolationError:
                continue  # the random reference was taken: draw another, as the service does
            if row is None:
                raise RuntimeError(f"raw SQL refused slot {slot_id}")
        booked += 1
    return booked


async def seat_lists(
    url: str, bookings: int, clients: int
) -> tuple[list[list[int]], list[list[int]]]:
    """Two disjoint sets of phone seats (one per run), split among the clients."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT id, seats_phone FROM slots WHERE seats_phone > 0 "
            "AND starts_at > now() + interval '10 days' ORDER BY starts_at, id"
        )
    finally:
        await connection.close()
    seats = [row["id"] for row in rows for _ in range(row["seats_phone"])]
    if len(seats) < 2 * bookings:
        raise RuntimeError("not enough seats for the bookings asked for")
    random.Random(11).shuffle(seats)
    api_seats, sql_seats = seats[:bookings], seats[bookings : 2 * bookings]

    def split(items: list[int]) -> list[list[int]]:
        return [items[worker::clients] for worker in range(clients)]

    return split(api_seats), split(sql_seats)


async def overbooked(url: str) -> int:
    connection = await asyncpg.connect(url)
    try:
        count: int = await connection.fetchval(
            """
            SELECT count(*) FROM slots s
            LEFT JOIN (SELECT slot_id, count(*) AS n FROM bookings
                       WHERE status <> 'cancelled' GROUP BY slot_id) b ON b.slot_id = s.id
            WHERE coalesce(b.n, 0) > s.seats_phone + s.seats_operator + s.seats_counter
               OR s.booked_phone + s.booked_operator + s.booked_counter
                  > s.seats_phone + s.seats_operator + s.seats_counter
               OR s.booked_phone + s.booked_operator + s.booked_counter <> coalesce(b.n, 0)
            """
        )
        return count
    finally:
        await connection.close()


async def main(arguments: argparse.Namespace) -> dict[str, float | int]:
    name, url = await create_database()
    console.print(f"database {name}")
    server: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter()
        slots = await seed_year(url, arguments.days)
        console.print(
            f"{slots} slots for {arguments.days} days in {time.perf_counter() - started:.0f} s"
        )
        connection = await asyncpg.connect(url)
        try:
            offers = [
                (row["office_code"], row["visit_type_code"])
                for row in await connection.fetch("SELECT * FROM office_visit_types")
            ]
        finally:
            await connection.close()
        api_lists, sql_lists = await seat_lists(url, arguments.bookings, arguments.clients)
        port = free_port()
        server = start_server(url, port, arguments.workers)
        headers = {"Authorization": f"Bearer {DEV_TOKENS['ivr']}"}
        async with aiohttp.ClientSession(
            base_url=f"http://127.0.0.1:{port}",
            headers=headers,
            connector=aiohttp.TCPConnector(limit=arguments.clients + 10),
            timeout=aiohttp.ClientTimeout(total=60),
        ) as client:
            await wait_ready(client)
            cpu_before = cpu_seconds(server.pid)
            latencies = await measure_availability(client, offers, arguments.requests)
            cpu_availability = cpu_seconds(server.pid) - cpu_before
            console.print(
                f"availability: p50 {percentile(latencies, 0.5):.2f} ms, "
                f"p99 {percentile(latencies, 0.99):.2f} ms"
            )
            console.print(
                f"booking {arguments.bookings} seats through the API ({arguments.clients} clients)…"
            )
            started = time.perf_counter()
            cpu_before = cpu_seconds(server.pid)
            api_booked = sum(
                await asyncio.gather(
                    *(book_via_api(client, seats, worker) for worker, seats in enumerate(api_lists))
                )
            )
            api_seconds = time.perf_counter() - started
            cpu_bookings = cpu_seconds(server.pid) - cpu_before
        server.terminate()
        server.wait(timeout=30)
        server = None
        console.print(f"API: {api_booked} bookings in {api_seconds:.1f} s")
        pool = await asyncpg.create_pool(
            url, min_size=arguments.clients, max_size=arguments.clients
        )
        try:
            started = time.perf_counter()
            sql_booked = sum(
                await asyncio.gather(
                    *(book_via_sql(pool, seats, worker) for worker, seats in enumerate(sql_lists))
                )
            )
            sql_seconds = time.perf_counter() - started
        finally:
            await pool.close()
        console.print(f"raw SQL: {sql_booked} bookings in {sql_seconds:.1f} s")
        api_rate = api_booked / api_seconds
        sql_rate = sql_booked / sql_seconds
        return {
            "slots": slots,
            "availability_requests": len(latencies),
            "availability_p50_ms": round(statistics.median(latencies), 2),
            "availability_p99_ms": round(percentile(latencies, 0.99), 2),
            "bookings": api_booked,
            "workers": arguments.workers,
            "clients": arguments.clients,
            "bookings_per_s_api": round(api_rate, 1),
            "bookings_per_s_sql": round(sql_rate, 1),
            "ratio": round(api_rate / sql_rate, 3),
            # the service process's own CPU; with --workers > 1 the workers are its children
            # and are not counted, so these two figures are for one worker
            "server_cpu_ms_per_availability": round(
                1000 * cpu_availability / (len(latencies) + WARM_UP), 2
            ),
            "server_cpu_ms_per_booking": round(1000 * cpu_bookings / api_booked, 2),
            "overbooked_slots": await overbooked(url),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not arguments.keep:
            await drop_database(name)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--bookings", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers of the service")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    figures = asyncio.run(main(parser.parse_args()))
    console.print(f"ratio API/SQL = {figures['ratio']}")
    print(json.dumps(figures))
