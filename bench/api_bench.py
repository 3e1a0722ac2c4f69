"""Benchmark of the slot service on PostgreSQL (``make bench-api``).

1. A fresh database: migrations, seed, a year of slots for every office and visit type.
2. The service runs as ``slot-service serve`` in its own process (one uvicorn worker).
3. (a) ``GET /availability`` latency, sequential requests over random offices, visit types
   and start dates: p50 and p99.
4. (b) Confirmed bookings per second through the HTTP API, hold then book, 50 concurrent
   clients, each booking a seat of its own list of slots: through a lean keep-alive HTTP
   client (``bench/lean_http.py``; the headline figure: the load generator shares the two
   cores with the service) and again through aiohttp, for comparison.
5. (c) The same number of bookings by the fastest correct raw SQL on the same database,
   doing the same work: a hold (slot lock, then one statement checking the caller's hold
   quota, the notice and the free seats, live holds included, and inserting), then a booking
   from it (identity lock, then one statement taking the hold, counting the seat, checking
   the identity limits and inserting with the Idempotency-Key), 50 concurrent asyncpg
   connections; as statements sent by the client, as two PL/pgSQL functions of this
   benchmark, and as the service's own functions (migrations 0002, 0003) called straight from
   asyncpg. The fastest of the three is the limit. For comparison also the previous,
   cheaper limit: one statement per booking without hold, identity checks or key.
6. Overbooked slots afterwards: seats taken (bookings and counters) above the slot's seats.

The load generator's own CPU is reported too. Ends with one JSON line holding every figure.
Targets: p99 availability <= 10 ms, ratio (b)/(c) >= 0.3, zero overbooked slots.
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
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from rich.console import Console
from rich.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.clock import SystemClock  # noqa: E402
from api.db import asyncpg_dsn  # noqa: E402
from api.identity import identity_fingerprint  # noqa: E402
from api.references import new_reference  # noqa: E402
from api.settings import ApiSettings, Channel, PolicySettings  # noqa: E402
from api.testing import (  # noqa: E402
    DEV_TOKENS,
    create_database,
    database_name,
    drop_database,
    new_database_name,
    prepare,
)
from bench.lean_http import LeanHttpConnection  # noqa: E402

console = Console(stderr=True)
WARM_UP = 50
BENCH_HOLDS_PER_CALLER_PER_HOUR = 1000
# the service's defaults (its process gets no other setting): same TTL, same HMAC key
HOLD_TTL_S = ApiSettings().hold_ttl(Channel.phone)
IDENTITY_KEY = ApiSettings().identity_key.get_secret_value().encode()
ADMIN_DSN = os.environ.get("IVR_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
# (c) The limit: the same work as the API (a hold, then a booking from it, with every check
# the service makes) in the fewest statements that stay correct under READ COMMITTED, sent by
# asyncpg. A capacity check must read the live holds AFTER the slot row is locked, i.e. in a
# later statement than the lock (one statement reads one snapshot, taken before any lock
# wait), so the hold is a transaction of two statements; the booking's identity counts must
# follow the identity lock, so the booking is two statements as well.
SQL_HOLD_LOCK = "UPDATE slots SET version = version + 1 WHERE id = $1 RETURNING id"
SQL_HOLD_INSERT = """
INSERT INTO holds (id, slot_id, channel, caller_number, language, status, created_at, expires_at)
SELECT $2::varchar, s.id, 'phone', $3::varchar, 'cs', 'active', $4, $4 + make_interval(secs => $5)
FROM slots s,
     LATERAL (SELECT count(*) FILTER (WHERE channel = 'phone') AS phone, count(*) AS total
              FROM holds WHERE slot_id = s.id AND status = 'active' AND expires_at > $4) live
WHERE s.id = $1
  AND NOT s.closed
  AND s.starts_at >= $4 + make_interval(secs => $6)
  AND (SELECT count(*) FROM holds
       WHERE caller_number = $3::varchar AND created_at > $4 - interval '1 hour') < $7
  AND s.seats_phone + s.seats_operator + s.seats_counter
      - s.booked_phone - s.booked_operator - s.booked_counter - live.total > 0
  AND (s.starts_at <= $4 + make_interval(secs => $8)
       OR s.seats_phone - s.booked_phone - live.phone > 0)
RETURNING id
"""
SQL_IDENTITY_LOCK = """
INSERT INTO identity_locks (identity_hash, version) VALUES ($1, 0)
ON CONFLICT (identity_hash) DO UPDATE SET version = identity_locks.version + 1
"""
# the hold turns booked and the slot's count goes up in CTEs; if the insert's identity
# checks refuse, no row comes back and the transaction is rolled back
SQL_BOOK_FROM_HOLD = """
WITH taken AS (
    UPDATE holds SET status = 'booked'
    WHERE id = $1::varchar AND status = 'active' AND expires_at > $2 AND channel = 'phone'
      AND caller_number = $3::varchar
    RETURNING slot_id
), seat AS (
    UPDATE slots SET booked_phone = booked_phone + 1, version = version + 1
    FROM taken
    WHERE slots.id = taken.slot_id AND NOT slots.closed
      AND slots.starts_at >= $2 + make_interval(secs => $7)
    RETURNING slots.id, office_code, visit_type_code, starts_at, local_date
)
INSERT INTO bookings (reference, slot_id, office_code, visit_type_code, starts_at, local_date,
    caller_number, language, identity_hash, channel, status, hold_id, idempotency_key,
    created_at, updated_at)
SELECT $4, seat.id, office_code, visit_type_code, starts_at, local_date, $3::varchar, 'cs',
    $5::varchar, 'phone', 'confirmed', $1::varchar, $6::varchar, $2, $2
FROM seat
WHERE (SELECT count(*) FROM bookings b WHERE b.identity_hash = $5::varchar
       AND b.visit_type_code = seat.visit_type_code AND b.status = 'confirmed') < $8
  AND (SELECT count(*) FROM bookings b WHERE b.identity_hash = $5::varchar
       AND b.created_at > $2 - make_interval(days => $9) AND b.status <> 'cancelled') < $10
RETURNING id
"""
# The same two steps as server-side functions: one round trip and one commit per step. Each
# statement of a VOLATILE function reads a fresh snapshot, so the hold's capacity check
# still follows its lock; RAISE rolls a refused step back whole.
SQL_FUNCTIONS = f"""
CREATE FUNCTION bench_hold(integer, varchar, varchar, timestamptz, float8, float8, integer,
                           float8) RETURNS varchar LANGUAGE plpgsql VOLATILE AS $body$
DECLARE held varchar;
BEGIN
    {SQL_HOLD_LOCK.replace(" RETURNING id", "")};
    IF NOT FOUND THEN RAISE EXCEPTION 'no slot %', $1; END IF;
    {SQL_HOLD_INSERT.strip().replace("RETURNING id", "RETURNING id INTO held")};
    IF held IS NULL THEN RAISE EXCEPTION 'hold refused'; END IF;
    RETURN held;
END $body$;
CREATE FUNCTION bench_book(varchar, timestamptz, varchar, varchar, varchar, varchar, float8,
                           integer, integer, integer) RETURNS integer
LANGUAGE plpgsql VOLATILE AS $body$
DECLARE booked integer;
BEGIN
    {SQL_IDENTITY_LOCK.strip().replace("$1", "$5")};
    {SQL_BOOK_FROM_HOLD.strip().replace("RETURNING id", "RETURNING id INTO booked")};
    IF booked IS NULL THEN RAISE EXCEPTION 'booking refused'; END IF;
    RETURN booked;
END $body$;
"""
SQL_CALL_HOLD = "SELECT bench_hold($1, $2, $3, $4, $5, $6, $7, $8)"
SQL_CALL_BOOK = "SELECT bench_book($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
# The previous limit, kept for comparison: one statement per booking, no hold, no identity
# lock or limits, no idempotency key (cheaper work than the API's).
SQL_BOOK_SINGLE = """
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
    """User + system CPU time of a process and its live children (the uvicorn workers of
    ``--workers N``), from Linux /proc: less sensitive to the machine's other load than
    latencies and rates."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else ():
        total += cpu_seconds(int(child))
    return total


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bench_settings(url: str) -> ApiSettings:
    return ApiSettings(database_url=url)


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


def bench_policy() -> PolicySettings:
    """The service's rules, with a hold quota per caller number high enough for the load
    (given to the service process through its environment, and to the raw SQL)."""
    return PolicySettings(max_holds_per_caller_per_hour=BENCH_HOLDS_PER_CALLER_PER_HOUR)


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    env.update(
        SLOTS_DATABASE_URL=url.replace("postgresql://", "postgresql+asyncpg://"),
        SLOTS_DATABASE_POOL_SIZE="25",
        SLOTS_POLICY__MAX_HOLDS_PER_CALLER_PER_HOUR=str(BENCH_HOLDS_PER_CALLER_PER_HOUR),
    )
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "slot-service"),  # the same virtualenv
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


Post = Callable[[str, dict[str, Any], dict[str, str]], Awaitable[tuple[int, Any]]]


async def book_via_api(post: Post, seats: list[int], worker: int, prefix: str) -> int:
    booked = 0
    for index, slot_id in enumerate(seats):
        caller = f"+420{prefix}{worker:02d}{index:06d}"
        status, hold = await post(
            "/holds", {"slot_id": slot_id, "caller_number": caller, "language": "cs"}, {}
        )
        if status != 201:
            raise RuntimeError(str(hold))
        status, body = await post(
            "/bookings",
            {
                "hold_id": hold["hold_id"],
                "caller_number": caller,
                "language": "cs",
                "passport_digits": f"{prefix}{worker:03d}{index:06d}",
                "birth_date": "1990-01-01",
            },
            {"Idempotency-Key": f"bench-{prefix}-{worker}-{index}"},
        )
        if status != 201:
            raise RuntimeError(str(body))
        booked += 1
    return booked


def aiohttp_post(client: aiohttp.ClientSession) -> Post:
    async def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any]:
        async with client.post(path, json=body, headers=headers) as response:
            return response.status, await response.json()

    return post


async def book_via_lean_client(
    port: int, headers: dict[str, str], seats: list[int], worker: int
) -> int:
    async with LeanHttpConnection(host="127.0.0.1", port=port, headers=headers) as connection:
        return await book_via_api(connection.post_json, seats, worker, prefix="71")


@dataclass
class ApiRun:
    booked: int
    seconds: float
    server_cpu_s: float
    client_cpu_s: float


async def measure_api(server_pid: int, bookings: Awaitable[list[int]]) -> ApiRun:
    started = time.perf_counter()
    cpu_before = cpu_seconds(server_pid)
    client_cpu_before = time.process_time()
    booked = sum(await bookings)
    return ApiRun(
        booked=booked,
        seconds=time.perf_counter() - started,
        server_cpu_s=cpu_seconds(server_pid) - cpu_before,
        client_cpu_s=time.process_time() - client_cpu_before,
    )


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def sql_hold(
    connection: asyncpg.Connection, policy: PolicySettings, *, slot_id: int, caller: str
) -> str:
    now = utc_now()
    async with connection.transaction():
        if await connection.fetchval(SQL_HOLD_LOCK, slot_id) is None:
            raise RuntimeError(f"raw SQL: no slot {slot_id}")
        hold_id = await connection.fetchval(
            SQL_HOLD_INSERT,
            slot_id,
            uuid.uuid4().hex,
            caller,
            now,
            float(HOLD_TTL_S),
            policy.min_hours_ahead * 3600,
            policy.max_holds_per_caller_per_hour,
            policy.borrow_window_hours * 3600,
        )
        if hold_id is None:
            raise RuntimeError(f"raw SQL refused the hold of slot {slot_id}")
        return str(hold_id)


async def with_fresh_reference(attempt: Callable[[str], Awaitable[Any]]) -> Any:
    """Run ``attempt(reference)`` until its random reference is not already taken, as the
    service does (a unique violation of the reference rolls the attempt back whole)."""
    while True:
        try:
            return await attempt(new_reference())
        except asyncpg.UniqueViolationError as exc:
            if exc.constraint_name != "bookings_reference_key":
                raise


REFERENCE = object()  # stands for a freshly drawn reference in the arguments below


async def fetch_with_fresh_reference(pool: asyncpg.Pool, sql: str, *arguments: Any) -> Any:
    """One statement on a pooled connection, ``REFERENCE`` replaced by a new draw on each
    attempt (``with_fresh_reference``)."""

    async def attempt(reference: str) -> Any:
        drawn = [reference if argument is REFERENCE else argument for argument in arguments]
        async with pool.acquire() as connection:
            return await connection.fetchval(sql, *drawn)

    return await with_fresh_reference(attempt)


async def sql_book(
    connection: asyncpg.Connection,
    policy: PolicySettings,
    *,
    hold_id: str,
    caller: str,
    identity_hash: str,
    idempotency_key: str,
) -> None:
    async def attempt(reference: str) -> None:
        async with connection.transaction():
            await connection.execute(SQL_IDENTITY_LOCK, identity_hash)
            booking_id = await connection.fetchval(
                SQL_BOOK_FROM_HOLD,
                hold_id,
                utc_now(),
                caller,
                reference,
                identity_hash,
                idempotency_key,
                policy.min_hours_ahead * 3600,
                policy.max_active_per_identity_and_visit_type,
                policy.identity_window_days,
                policy.max_bookings_per_identity,
            )
            if booking_id is None:
                raise RuntimeError(f"raw SQL refused the booking of hold {hold_id}")

    await with_fresh_reference(attempt)


async def book_via_sql(
    pool: asyncpg.Pool, policy: PolicySettings, seats: list[int], worker: int
) -> int:
    """Hold then book, one pooled connection per step as the service's two requests."""
    booked = 0
    for index, slot_id in enumerate(seats):
        caller = f"+4208{worker:02d}{index:06d}"
        async with pool.acquire() as connection:
            hold_id = await sql_hold(connection, policy, slot_id=slot_id, caller=caller)
        async with pool.acquire() as connection:
            await sql_book(
                connection,
                policy,
                hold_id=hold_id,
                caller=caller,
                identity_hash=identity_fingerprint(
                    key=IDENTITY_KEY,
                    passport_digits=f"{worker:03d}{index:07d}",
                    birth_date=dt.date(1980, 1, 1),  # identities other than the API run's
                ),
                idempotency_key=f"sql-{worker}-{index}",
            )
        booked += 1
    return booked


async def book_via_functions(
    pool: asyncpg.Pool, policy: PolicySettings, seats: list[int], worker: int
) -> int:
    """Hold then book through the server-side functions: one round trip per step."""
    booked = 0
    for index, slot_id in enumerate(seats):
        caller = f"+4207{worker:02d}{index:06d}"
        async with pool.acquire() as connection:
            hold_id = await connection.fetchval(
                SQL_CALL_HOLD,
                slot_id,
                uuid.uuid4().hex,
                caller,
                utc_now(),
                float(HOLD_TTL_S),
                policy.min_hours_ahead * 3600,
                policy.max_holds_per_caller_per_hour,
                policy.borrow_window_hours * 3600,
            )
        identity_hash = identity_fingerprint(
            key=IDENTITY_KEY,
            passport_digits=f"{worker:03d}{index:07d}",
            birth_date=dt.date(1970, 1, 1),  # identities other than the other runs'
        )
        await fetch_with_fresh_reference(
            pool,
            SQL_CALL_BOOK,
            hold_id,
            utc_now(),
            caller,
            REFERENCE,
            identity_hash,
            f"fn-{worker}-{index}",
            policy.min_hours_ahead * 3600,
            policy.max_active_per_identity_and_visit_type,
            policy.identity_window_days,
            policy.max_bookings_per_identity,
        )
        booked += 1
    return booked


SQL_CALL_SERVICE_HOLD = (
    "SELECT outcome FROM slot_service_take_hold($1, $2, 'phone', $3, 'cs', $4, $5, $6, $7, $8, $9)"
)
SQL_CALL_SERVICE_BOOK = (
    "SELECT outcome FROM slot_service_book_hold($1, 'phone', $2, 'cs', $3, $4, $5, $6, $7, "
    "$8, $9, $10, true)"
)


async def book_via_service_functions(
    pool: asyncpg.Pool, policy: PolicySettings, seats: list[int], worker: int
) -> int:
    """Hold then book through the service's own functions (migration 0003), called as the
    service calls them but straight from asyncpg: exactly the API's database work."""
    booked = 0
    for index, slot_id in enumerate(seats):
        caller = f"+4206{worker:02d}{index:06d}"
        hold_id = uuid.uuid4().hex
        now = utc_now()
        async with pool.acquire() as connection:
            outcome = await connection.fetchval(
                SQL_CALL_SERVICE_HOLD,
                hold_id,
                slot_id,
                caller,
                now,
                now + dt.timedelta(seconds=HOLD_TTL_S),
                now - dt.timedelta(hours=1),
                policy.max_holds_per_caller_per_hour,
                now + dt.timedelta(hours=policy.min_hours_ahead),
                now + dt.timedelta(hours=policy.borrow_window_hours),
            )
            if outcome != "held":
                raise RuntimeError(f"service function refused slot {slot_id}: {outcome}")
        identity_hash = identity_fingerprint(
            key=IDENTITY_KEY,
            passport_digits=f"{worker:03d}{index:07d}",
            birth_date=dt.date(1960, 1, 1),  # identities other than the other runs'
        )
        now = utc_now()
        outcome = await fetch_with_fresh_reference(
            pool,
            SQL_CALL_SERVICE_BOOK,
            hold_id,
            caller,
            identity_hash,
            f"svc-{worker}-{index}",
            REFERENCE,
            now,
            now - dt.timedelta(days=policy.identity_window_days),
            now + dt.timedelta(hours=policy.min_hours_ahead),
            policy.max_active_per_identity_and_visit_type,
            policy.max_bookings_per_identity,
        )
        if outcome != "booked":
            raise RuntimeError(f"service function refused the booking of {hold_id}: {outcome}")
        booked += 1
    return booked


async def book_via_single_statement(pool: asyncpg.Pool, seats: list[int], worker: int) -> int:
    """The previous, cheaper limit: a booking without hold, identity checks or key."""
    booked = 0
    for index, slot_id in enumerate(seats):
        row = None
        while row is None:
            try:
                async with pool.acquire() as connection:
                    row = await connection.fetchrow(
                        SQL_BOOK_SINGLE,
                        slot_id,
                        utc_now(),
                        new_reference(),
                        f"+4209{worker:02d}{index:06d}",
                        secrets.token_hex(32),
                    )
            except asyncpg.UniqueViolationError:
                continue  # the random reference was taken: draw another, as the service does
            if row is None:
                raise RuntimeError(f"raw SQL refused slot {slot_id}")
        booked += 1
    return booked


async def seat_lists(url: str, bookings: int, clients: int, runs: int) -> list[list[list[int]]]:
    """Disjoint sets of phone seats (one per run), each split among the clients."""
    connection = await asyncpg.connect(url)
    try:
        rows = await connection.fetch(
            "SELECT id, seats_phone FROM slots WHERE seats_phone > 0 "
            "AND starts_at > now() + interval '10 days' ORDER BY starts_at, id"
        )
    finally:
        await connection.close()
    seats = [row["id"] for row in rows for _ in range(row["seats_phone"])]
    if len(seats) < runs * bookings:
        raise RuntimeError("not enough seats for the bookings asked for")
    random.Random(11).shuffle(seats)
    runs_seats = [seats[run * bookings : (run + 1) * bookings] for run in range(runs)]
    return [[items[worker::clients] for worker in range(clients)] for items in runs_seats]


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


async def timed(label: str, runs: Iterable[Awaitable[int]]) -> tuple[int, float]:
    """Run the workers together; the bookings they made and the seconds it took."""
    started = time.perf_counter()
    booked = sum(await asyncio.gather(*runs))
    seconds = time.perf_counter() - started
    console.print(f"{label}: {booked} bookings in {seconds:.1f} s")
    return booked, seconds


async def main(arguments: argparse.Namespace) -> dict[str, float | int]:
    database = await create_database(ADMIN_DSN, name=new_database_name("ivr_bench"))
    url = asyncpg_dsn(database)  # asyncpg's form, for the raw SQL
    console.print(f"database {database_name(database)}")
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
        (
            api_lists,
            aiohttp_lists,
            sql_lists,
            function_lists,
            service_lists,
            single_lists,
        ) = await seat_lists(url, arguments.bookings, arguments.clients, runs=6)
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
                f"booking {arguments.bookings} seats through the API ({arguments.clients} "
                "clients), lean HTTP client then aiohttp…"
            )
            lean = await measure_api(
                server.pid,
                asyncio.gather(
                    *(
                        book_via_lean_client(port, headers, seats, worker)
                        for worker, seats in enumerate(api_lists)
                    )
                ),
            )
            through_aiohttp = await measure_api(
                server.pid,
                asyncio.gather(
                    *(
                        book_via_api(aiohttp_post(client), seats, worker, prefix="72")
                        for worker, seats in enumerate(aiohttp_lists)
                    )
                ),
            )
        server.terminate()
        server.wait(timeout=30)
        server = None
        console.print(
            f"API: {lean.booked} bookings in {lean.seconds:.1f} s (lean client), "
            f"{through_aiohttp.booked} in {through_aiohttp.seconds:.1f} s (aiohttp)"
        )
        policy = bench_policy()
        pool = await asyncpg.create_pool(
            url, min_size=arguments.clients, max_size=arguments.clients
        )
        try:
            sql_booked, sql_seconds = await timed(
                "raw SQL, hold + book",
                (
                    book_via_sql(pool, policy, seats, worker)
                    for worker, seats in enumerate(sql_lists)
                ),
            )
            async with pool.acquire() as connection:
                await connection.execute(SQL_FUNCTIONS)
            function_booked, function_seconds = await timed(
                "raw SQL functions, hold + book",
                (
                    book_via_functions(pool, policy, seats, worker)
                    for worker, seats in enumerate(function_lists)
                ),
            )
            service_booked, service_seconds = await timed(
                "the service's functions from asyncpg, hold + book",
                (
                    book_via_service_functions(pool, policy, seats, worker)
                    for worker, seats in enumerate(service_lists)
                ),
            )
            single_booked, single_seconds = await timed(
                "raw SQL, one statement",
                (
                    book_via_single_statement(pool, seats, worker)
                    for worker, seats in enumerate(single_lists)
                ),
            )
        finally:
            await pool.close()
        api_rate = lean.booked / lean.seconds
        aiohttp_rate = through_aiohttp.booked / through_aiohttp.seconds
        statements_rate = sql_booked / sql_seconds
        function_rate = function_booked / function_seconds
        service_rate = service_booked / service_seconds
        sql_rate = max(statements_rate, function_rate, service_rate)  # the limit: the fastest
        single_rate = single_booked / single_seconds
        return {
            "slots": slots,
            "availability_requests": len(latencies),
            "availability_p50_ms": round(statistics.median(latencies), 2),
            "availability_p99_ms": round(percentile(latencies, 0.99), 2),
            "bookings": lean.booked,
            "workers": arguments.workers,
            "clients": arguments.clients,
            "bookings_per_s_api": round(api_rate, 1),
            "bookings_per_s_sql": round(sql_rate, 1),
            "ratio": round(api_rate / sql_rate, 3),
            # the same load through aiohttp, whose client takes more of the shared CPU
            "bookings_per_s_api_aiohttp": round(aiohttp_rate, 1),
            "ratio_aiohttp": round(aiohttp_rate / sql_rate, 3),
            "bookings_per_s_sql_statements": round(statements_rate, 1),
            "bookings_per_s_sql_functions": round(function_rate, 1),
            "bookings_per_s_sql_service_functions": round(service_rate, 1),
            "bookings_per_s_sql_single_statement": round(single_rate, 1),
            "ratio_to_single_statement": round(api_rate / single_rate, 3),
            # the service's CPU, its worker processes included
            "server_cpu_ms_per_availability": round(
                1000 * cpu_availability / (len(latencies) + WARM_UP), 2
            ),
            "server_cpu_ms_per_booking": round(1000 * lean.server_cpu_s / lean.booked, 2),
            "server_cpu_ms_per_booking_aiohttp": round(
                1000 * through_aiohttp.server_cpu_s / through_aiohttp.booked, 2
            ),
            # the load generator's own CPU: it shares the cores with the service
            "client_cpu_ms_per_booking": round(1000 * lean.client_cpu_s / lean.booked, 2),
            "client_cpu_ms_per_booking_aiohttp": round(
                1000 * through_aiohttp.client_cpu_s / through_aiohttp.booked, 2
            ),
            "overbooked_slots": await overbooked(url),
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if not arguments.keep:
            await drop_database(ADMIN_DSN, database)


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
