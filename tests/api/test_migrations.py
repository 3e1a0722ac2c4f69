from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from api.db import create_engine, migrate
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
}


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _check(url: str) -> None:
    await migrate(url)
    await migrate(url)  # a second run is a no-op
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == TABLES
            assert await connection.run_sync(_differences) == []
    finally:
        await engine.dispose()


async def test_migrations_match_the_models_on_sqlite(tmp_path: Path) -> None:
    await _check(f"sqlite+aiosqlite:///{tmp_path / 'new' / 'folder' / 'db.sqlite3'}")


@pytest.mark.postgres
async def test_migrations_match_the_models_on_postgresql(postgres_url: str) -> None:
    await _check(postgres_url)
