"""Engine, sessions, transactions and migrations for SQLite and PostgreSQL.

``Database.transaction()`` is the only way services touch the database: it commits on success,
rolls back on any exception, turns connection-level failures into ``DatabaseUnavailable``
(503) and PostgreSQL's data exceptions (a NUL in a text, a value too long) into
``InvalidRequest`` (422). On SQLite every connection gets WAL, foreign keys and a busy
timeout, so writers queue instead of failing; on both databases the first write of a
seat-changing transaction is an ``UPDATE`` of the slot row, which serialises writers of that
slot.

A SQLite file whose folder is missing fails in ``do_connect``, before aiosqlite starts its
worker thread: aiosqlite stops the thread of a failed connect without waiting for it, and a
thread still stopping when its event loop closes dies with "Event loop is closed".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from api.errors import DatabaseUnavailable, InvalidRequest, ServiceError
from api.statements import HotPool, Runner, runner_transaction

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, pool_size: int = 20) -> AsyncEngine:
    """An async engine; nothing is connected or created until first use."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
        folder = Path(parsed.database or "").parent

        @event.listens_for(engine.sync_engine, "do_connect")
        def _folder_must_exist(*_args: Any) -> None:
            if parsed.database not in (None, "", ":memory:") and not folder.is_dir():
                raise sqlite3.OperationalError(f"unable to open database file: no folder {folder}")

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            cursor.close()

        return engine
    # no overflow: SQLAlchemy closes an overflow connection on every return, so under load
    # beyond the pool each transaction opened a new PostgreSQL connection (TLS attempt,
    # authentication, an empty prepared-statement cache); a request beyond the pool waits
    # for a pooled connection instead (503 after pool_timeout)
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_pre_ping=False, pool_timeout=10
    )


UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeoutError,
    OSError,
    ConnectionError,
    TimeoutError,
)

TRANSLATED_ERRORS: tuple[type[Exception], ...] = (*UNAVAILABLE_ERRORS, DBAPIError)


def _is_data_exception(exc: DBAPIError) -> bool:
    """PostgreSQL's SQLSTATE class 22 (data exception): a value the database refuses, such as
    a NUL character in a text or a string longer than its column. The request's fault: 422."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith("22")


def _is_server_unreachable(exc: DBAPIError) -> bool:
    """SQLSTATE class 08 (connection exception) and 57 (operator intervention: the server is
    shutting down, crashed, or still starting up after a restart): wait and retry, a 503."""
    sqlstate = getattr(exc.orig, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(("08", "57"))


def _translated(exc: Exception) -> ServiceError | None:
    """The service error for a database failure; ``None`` if it is neither the database
    being unreachable nor a value it refuses (then it propagates unchanged)."""
    if isinstance(exc, UNAVAILABLE_ERRORS):
        return DatabaseUnavailable("the database is unavailable", reason=type(exc).__name__)
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return DatabaseUnavailable(
                "the database connection was lost", reason=type(exc).__name__
            )
        if _is_server_unreachable(exc):
            return DatabaseUnavailable(
                "the database is restarting or shutting down",
                sqlstate=getattr(exc.orig, "sqlstate", ""),
            )
        if _is_data_exception(exc):
            return InvalidRequest(
                "a value cannot be stored or compared",
                sqlstate=getattr(exc.orig, "sqlstate", ""),
            )
    return None


class Database:
    def __init__(self, *, url: str, pool_size: int = 20) -> None:
        self.url = url
        self.engine = create_engine(url, pool_size=pool_size)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        parsed = make_url(url)
        self._hot_pool = (
            HotPool(
                dsn=parsed.set(drivername="postgresql").render_as_string(hide_password=False),
                size=pool_size,
            )
            if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "asyncpg"
            else None
        )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        try:
            async with self.sessions() as session, session.begin():
                yield session
        except TRANSLATED_ERRORS as exc:
            translated = _translated(exc)
            if translated is None:
                raise
            raise translated from exc

    @property
    def rules_in_database(self) -> bool:
        """PostgreSQL decides holds and bookings in its functions (migration 0002), one
        statement each, which needs no transaction of its own; SQLite runs them in Python."""
        return self.engine.dialect.name == "postgresql"

    @asynccontextmanager
    async def runner(self, *, atomic: bool = True) -> AsyncIterator[Runner]:
        """For the hot paths (availability, holds, bookings): prebuilt Core statements, run
        on PostgreSQL straight on asyncpg (``api.statements``), no ORM session; one
        transaction unless ``atomic=False``. Errors are translated as in ``transaction``."""
        try:
            async with runner_transaction(
                self.engine, hot_pool=self._hot_pool, atomic=atomic
            ) as runner:
                yield runner
        except TRANSLATED_ERRORS as exc:
            translated = _translated(exc)
            if translated is None:
                raise
            raise translated from exc

    async def ping(self) -> None:
        async with self.transaction() as session:
            await session.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._hot_pool is not None:
            await self._hot_pool.close()
        await self.engine.dispose()


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


async def migrate(url: str, *, revision: str = "head") -> None:
    """Apply the Alembic migrations to ``url`` (the same ones on SQLite and PostgreSQL);
    a SQLite file's parent folder is created first."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(str(parsed.database)).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_upgrade, revision)
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def migrate_sync(url: str) -> None:
    """``migrate`` for callers outside an event loop (the CLI)."""
    asyncio.run(migrate(url))
