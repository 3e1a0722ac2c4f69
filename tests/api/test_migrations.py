"""Migrations are the only way the schema and the functions change: a freshly migrated
database equals the models (Alembic's compare_metadata finds nothing), a second run changes
nothing, and each migration's downgrade works (0003 back to 0002 and up again keeps the data
and its instants; down to nothing leaves an empty database)."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from api.db import asyncpg_dsn, downgrade, migrate, migration_engine
from api.models import Base

TABLES = {
    "alembic_version",
    "offices",
    "visit_types",
    "office_visit_types",
    "capacity_templates",
    "closures",
    "slots",
    "holds",
    "identity_locks",
    "bookings",
    "outbound_opt_outs",
    "outbound_notices",
    "outbound_attempts",
}
FUNCTIONS = {
    "0002": {"slot_service_take_hold", "slot_service_book_hold"},
    "0003": {
        "slot_service_take_hold",
        "slot_service_book_hold",
        "slot_service_live_holds",
        "slot_service_free_seats",
    },
}
MOMENT = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC)


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _schema(url: str) -> tuple[set[str], list[object]]:
    engine = migration_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_tables), await connection.run_sync(_differences)
    finally:
        await engine.dispose()


async def _functions(connection: asyncpg.Connection) -> set[str]:
    rows = await connection.fetch(
        "SELECT proname FROM pg_proc WHERE proname LIKE 'slot_service_%'"
    )
    return {row["proname"] for row in rows}


async def test_the_migrated_schema_equals_the_models(postgres_url: str) -> None:
    await migrate(postgres_url)
    await migrate(postgres_url)  # a second run is a no-op
    tables, differences = await _schema(postgres_url)
    assert tables == TABLES
    assert differences == []


async def test_0003_downgrades_to_0002_and_back_keeping_the_instants(postgres_url: str) -> None:
    await migrate(postgres_url, revision="0002")
    connection = await asyncpg.connect(asyncpg_dsn(postgres_url))
    try:
        await connection.execute(
            "INSERT INTO offices VALUES ('o', 'r', 1, '{}', 'a', '{}', true);"
            "INSERT INTO closures (office_code, day, reason, created_at)"
            " VALUES ('o', '2026-12-07', 'flood', '2026-12-07 08:30:00')"  # naive UTC
        )
        assert await _functions(connection) == FUNCTIONS["0002"]
        await migrate(postgres_url)
        assert await _functions(connection) == FUNCTIONS["0003"]
        arguments = await connection.fetchval(
            "SELECT string_agg(pg_get_function_arguments(oid), ' ') FROM pg_proc"
            " WHERE proname LIKE 'slot_service_%'"
        )
        assert "timestamp with time zone" in arguments
        assert "timestamp without time zone" not in arguments
        assert await connection.fetchval("SELECT created_at FROM closures") == MOMENT
        await downgrade(postgres_url, revision="0002")
        assert await _functions(connection) == FUNCTIONS["0002"]
        naive = await connection.fetchval("SELECT created_at FROM closures")
        assert naive == MOMENT.replace(tzinfo=None)
        await downgrade(postgres_url, revision="base")
        assert await _functions(connection) == set()
        assert await connection.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        ) == 1  # alembic_version only
    finally:
        await connection.close()
    await migrate(postgres_url)  # and up again from nothing
    assert (await _schema(postgres_url))[1] == []


async def test_0004_keeps_closures_and_downgrades_to_one_per_office_and_day(
    postgres_url: str,
) -> None:
    await migrate(postgres_url, revision="0003")
    connection = await asyncpg.connect(asyncpg_dsn(postgres_url))
    try:
        await connection.execute(
            "INSERT INTO offices VALUES ('o', 'r', 1, '{}', 'a', '{}', true);"
            "INSERT INTO closures (office_code, day, reason, created_at)"
            " VALUES ('o', '2026-12-07', 'flood', '2026-12-07 08:30:00+00')"
        )
        await migrate(postgres_url)
        row = await connection.fetchrow("SELECT * FROM closures")
        assert (row["reason"], row["created_by"], row["starts_at"], row["reopened_at"]) == (
            "flood", "admin", None, None
        )
        # two parts of one day, one of them reopened: allowed now, and a bad range is not
        await connection.execute(
            "INSERT INTO closures (office_code, day, reason, created_at, created_by, starts_at,"
            " ends_at, reopened_at) VALUES ('o', '2026-12-08', 'a', now(), 'admin',"
            " '2026-12-08 08:00+00', '2026-12-08 09:00+00', now()),"
            " ('o', '2026-12-08', 'b', now(), 'admin', '2026-12-08 10:00+00',"
            " '2026-12-08 11:00+00', NULL)"
        )
        with pytest.raises(asyncpg.CheckViolationError):
            await connection.execute(
                "INSERT INTO closures (office_code, day, reason, created_at, created_by,"
                " starts_at, ends_at) VALUES ('o', '2026-12-09', 'x', now(), 'admin',"
                " '2026-12-09 10:00+00', '2026-12-09 09:00+00')"
            )
        await downgrade(postgres_url, revision="0003")
        kept = await connection.fetch("SELECT day, reason FROM closures ORDER BY day")
        assert [(str(r["day"]), r["reason"]) for r in kept] == [
            ("2026-12-07", "flood"), ("2026-12-08", "b")
        ]
        columns = await connection.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'bookings'"
        )
        assert "cancelled_by_closure_id" not in {c["column_name"] for c in columns}
    finally:
        await connection.close()
    await migrate(postgres_url)
    assert (await _schema(postgres_url))[1] == []


async def test_0005_downgrades_to_its_parent_and_back(postgres_url: str) -> None:
    """Outbound calls' tables go with their downgrade and come back with the upgrade."""
    await migrate(postgres_url)
    parent = "0004"
    await downgrade(postgres_url, revision=parent)
    tables, _ = await _schema(postgres_url)
    assert not {"outbound_opt_outs", "outbound_notices", "outbound_attempts"} & tables
    await migrate(postgres_url)
    tables, differences = await _schema(postgres_url)
    assert tables == TABLES
    assert differences == []
