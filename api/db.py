"""The slot service's one way into PostgreSQL: a pool of asyncpg connections, transactions
around the statements of ``api.statements``, and the Alembic migrations.

``Database.transaction()`` yields a ``Runner`` whose statements run in one transaction
(committed on success, rolled back on any exception); ``Database.autocommit()`` yields one
whose statements each commit on their own (no BEGIN/COMMIT round trips: reads that need no
common snapshot, and the single-statement hold and booking functions of the migrations).
Failures to connect, BEGIN or COMMIT are translated like those of a statement
(``api.statements.service_error``).

SQLAlchemy serves the models, the statements and Alembic; only ``migrate`` opens a
SQLAlchemy engine, for the length of the migrations.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import select
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from api.statements import DRIVER_ERRORS, Runner, service_error

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

PING = select(1)


def asyncpg_dsn(url: str) -> str:
    """``postgresql://…`` for asyncpg from a SQLAlchemy URL (``postgresql+asyncpg://…``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(
            f"the slot service runs on PostgreSQL; {parsed.get_backend_name()!r} URLs are "
            "not supported (SLOTS_DATABASE_URL=postgresql+asyncpg://…)"
        )
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(url: str) -> str:
    """The same database as a SQLAlchemy asyncpg URL (for Alembic)."""
    return asyncpg_dsn(url).replace("postgresql://", "postgresql+asyncpg://", 1)


class HotPool:
    """A pool of asyncpg connections of the service's own.

    Why not SQLAlchemy's pool: a checkout through ``AsyncEngine.connect()`` (greenlet
    hand-offs, pool events, the adapted connection) cost about 0.2 ms of CPU, more than the
    statement it served. Why asyncpg's pool without its reset query: the service runs single
    statements in autocommit, or one transaction that asyncpg's ``transaction()`` closes, and
    sets no session state, so the ``RESET ALL``/``UNLISTEN`` round trip on every release
    would reset nothing. A connection whose statement was cancelled is terminated, never
    pooled. Connections open on demand (``min_size=0``), up to ``size``; each decodes and
    encodes ``json`` with the standard library (asyncpg's default is text)."""

    def __init__(self, *, dsn: str, size: int, acquire_timeout_s: float = 10) -> None:
        self._dsn = dsn
        self._size = size
        self._acquire_timeout_s = acquire_timeout_s
        self._pool: asyncpg.Pool | None = None
        self._creating = asyncio.Lock()

    async def _started(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._creating:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        self._dsn,
                        min_size=0,
                        max_size=self._size,
                        reset=_keep_session,
                        init=_json_codec,
                    )
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = await self._started()
        connection = await pool.acquire(timeout=self._acquire_timeout_s)
        try:
            yield connection
        except asyncio.CancelledError:
            connection.terminate()  # cancelled mid-statement: it may still be busy
            raise
        finally:
            await pool.release(connection)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def _keep_session(connection: asyncpg.Connection) -> None:
    """No reset on release: see ``HotPool``."""


async def _json_codec(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec(
        "json", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
    )


class Database:
    def __init__(self, *, url: str, pool_size: int = 20) -> None:
        self.url = url
        self._pool = HotPool(dsn=asyncpg_dsn(url), size=pool_size)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Runner]:
        async with self._runner(atomic=True) as runner:
            yield runner

    @asynccontextmanager
    async def autocommit(self) -> AsyncIterator[Runner]:
        async with self._runner(atomic=False) as runner:
            yield runner

    @asynccontextmanager
    async def _runner(self, *, atomic: bool) -> AsyncIterator[Runner]:
        try:
            async with self._pool.connection() as connection:
                if not atomic:
                    yield Runner(connection)
                    return
                async with connection.transaction():
                    yield Runner(connection)
        except DRIVER_ERRORS as error:  # connecting, BEGIN, COMMIT or ROLLBACK failed
            translated = service_error(error)
            if translated is None:
                raise
            raise translated from error

    async def ping(self) -> None:
        async with self.autocommit() as runner:
            await runner.scalar(PING)

    async def dispose(self) -> None:
        await self._pool.close()


def migration_engine(url: str) -> AsyncEngine:
    """A SQLAlchemy engine on ``url`` for Alembic (migrations, the schema test)."""
    return create_async_engine(sqlalchemy_url(url), poolclass=NullPool)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


AlembicCommand = Callable[[Config, str], None]


async def migrate(url: str, *, revision: str = "head") -> None:
    """Apply the Alembic migrations to ``url`` up to ``revision``."""
    await _alembic(url, command.upgrade, revision)


async def downgrade(url: str, *, revision: str) -> None:
    """Undo the migrations of ``url`` down to ``revision`` (``"0002"``, ``"base"``)."""
    await _alembic(url, command.downgrade, revision)


async def _alembic(url: str, step: AlembicCommand, revision: str) -> None:
    engine = migration_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_alembic, step, revision)
    finally:
        await engine.dispose()


def _run_alembic(connection: Connection, step: AlembicCommand, revision: str) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    step(config, revision)
