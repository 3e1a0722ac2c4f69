"""Running the hot paths' prebuilt Core statements (availability, holds, bookings) with as
little CPU as possible: through SQLAlchemy, or on PostgreSQL straight on asyncpg.

Why by hand: SQLAlchemy's asyncpg adapter (a greenlet per call, DB-API cursor emulation,
result objects) costs about 0.2 ms of CPU per statement on top of asyncpg, more than
asyncpg's own work; a booking runs about ten statements. The statements stay the same Core
objects: SQLAlchemy's asyncpg dialect compiles each once (``compiled.string``,
``construct_params``, ``positiontup``), so PostgreSQL receives exactly the SQL it would have
received through SQLAlchemy. Only the one column type with a converter is handled here:
``UtcDateTime`` (aware UTC in, naive in the column; naive out, made aware UTC).

Exceptions leave as SQLAlchemy's own (``DBAPIError`` subclasses with the asyncpg error as
``orig``), so ``api.db.Database`` translates them exactly as for the ORM paths::

    asyncpg.PostgresError ─┬─ IntegrityConstraintViolationError → sqlalchemy IntegrityError
                           ├─ SQLSTATE class 22 (data)          → sqlalchemy DataError
                           └─ any other                         → sqlalchemy DBAPIError
    connection lost (class 08 and 57, InterfaceError, OSError…)  → sqlalchemy OperationalError,
                                                                  the connection invalidated
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Protocol

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from api.models import UtcDateTime


class Runner(Protocol):
    @property
    def dialect_name(self) -> str: ...

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[Any]: ...

    async def one_or_none(self, statement: Executable, params: Mapping[str, Any]) -> Any: ...

    async def scalar(self, statement: Executable, params: Mapping[str, Any]) -> Any: ...

    async def rowcount(self, statement: Executable, params: Mapping[str, Any]) -> int: ...


class SqlAlchemyRunner:
    """Any database (SQLite in tests and embedded use), or inside an ORM session's
    transaction (``await session.connection()``)."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection

    @property
    def dialect_name(self) -> str:
        return self._connection.dialect.name

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[Any]:
        return list((await self._connection.execute(statement, dict(params))).all())

    async def one_or_none(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        return (await self._connection.execute(statement, dict(params))).one_or_none()

    async def scalar(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        return await self._connection.scalar(statement, dict(params))

    async def rowcount(self, statement: Executable, params: Mapping[str, Any]) -> int:
        result = await self._connection.execute(statement, dict(params))
        return int(getattr(result, "rowcount", 0))


@dataclass(frozen=True)
class _Compiled:
    sql: str
    compiled: SQLCompiler
    utc_binds: frozenset[str]


def _aware(value: Any) -> Any:
    if value.__class__ is dt.datetime and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


class FastRow(asyncpg.Record):  # type: ignore[misc]  # asyncpg ships no stubs
    """An asyncpg record read by attribute, its naive timestamps made aware UTC on access.

    A ``record_class`` of asyncpg rather than a wrapper: availability reads ten rows a
    request and uses a few columns of some, and converting every column of every row up
    front was a quarter of that request's CPU."""

    def __getattr__(self, name: str) -> Any:
        try:
            return _aware(self[name])
        except KeyError:
            raise AttributeError(name) from None

    def _asdict(self) -> dict[str, Any]:
        return {key: _aware(value) for key, value in self.items()}


_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
_compiled_cache: dict[tuple[int, tuple[str, ...]], _Compiled] = {}


def _compile(statement: Executable, keys: tuple[str, ...]) -> _Compiled:
    """Compiled once per statement and set of parameter names (an INSERT's columns are its
    parameters); the statements are module constants, so the cache stays small."""
    cache_key = (id(statement), keys)
    found = _compiled_cache.get(cache_key)
    if found is None:
        assert isinstance(statement, ClauseElement)
        compiled = statement.compile(dialect=_DIALECT, column_keys=list(keys))
        assert isinstance(compiled, SQLCompiler)
        utc = frozenset(
            name for name, bind in compiled.binds.items() if isinstance(bind.type, UtcDateTime)
        )
        found = _Compiled(sql=compiled.string, compiled=compiled, utc_binds=utc)
        _compiled_cache[cache_key] = found
    return found


class AsyncpgRunner:
    """PostgreSQL: the statements on the asyncpg connection under SQLAlchemy's pool."""

    dialect_name = "postgresql"

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    def _arguments(self, statement: Executable, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
        compiled = _compile(statement, tuple(sorted(params)))
        values = compiled.compiled.construct_params(dict(params))
        arguments = []
        for name in compiled.compiled.positiontup or ():
            value = values[name]
            if name in compiled.utc_binds and value is not None:
                if value.tzinfo is None:
                    raise ValueError("naive datetime given to a UTC column")
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            arguments.append(value)
        return compiled.sql, arguments

    async def all(self, statement: Executable, params: Mapping[str, Any]) -> list[Any]:
        sql, arguments = self._arguments(statement, params)
        try:
            records: list[FastRow] = await self._connection.fetch(
                sql, *arguments, record_class=FastRow
            )
        except DRIVER_ERRORS as error:
            raise sqlalchemy_error(error, sql, arguments) from error
        return records

    async def one_or_none(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        records = await self.all(statement, params)
        if len(records) > 1:
            raise sa_exc.MultipleResultsFound("more than one row where one at most was expected")
        return records[0] if records else None

    async def scalar(self, statement: Executable, params: Mapping[str, Any]) -> Any:
        row = await self.one_or_none(statement, params)
        return None if row is None else _aware(row[0])

    async def rowcount(self, statement: Executable, params: Mapping[str, Any]) -> int:
        sql, arguments = self._arguments(statement, params)
        try:
            status = await self._connection.execute(sql, *arguments)
        except DRIVER_ERRORS as error:
            raise sqlalchemy_error(error, sql, arguments) from error
        return int(status.rsplit(" ", 1)[-1])  # "UPDATE 1", "INSERT 0 1"


# the connection is gone or unusable: the server shut down or restarted (class 08 and 57),
# the socket failed, or the protocol was left mid-operation
CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    TimeoutError,
)
DRIVER_ERRORS = (asyncpg.PostgresError, *CONNECTION_LOST)


def sqlalchemy_error(error: Exception, sql: str, arguments: list[Any] | None) -> sa_exc.DBAPIError:
    if isinstance(error, asyncpg.IntegrityConstraintViolationError):
        return sa_exc.IntegrityError(sql, arguments, error)
    if isinstance(error, CONNECTION_LOST):
        return sa_exc.OperationalError(sql, arguments, error)
    if str(getattr(error, "sqlstate", "")).startswith("22"):
        return sa_exc.DataError(sql, arguments, error)
    return sa_exc.DBAPIError(sql, arguments, error)


class HotPool:
    """PostgreSQL: a pool of asyncpg connections of its own for the hot paths.

    Why not SQLAlchemy's pool: a checkout through ``AsyncEngine.connect()`` (greenlet
    hand-offs, pool events, the adapted connection) cost about 0.2 ms of CPU, more than the
    statement it served. Why asyncpg's pool without its reset query: the hot path runs
    single statements in autocommit, or one transaction that asyncpg's ``transaction()``
    closes, and sets no session state, so the ``RESET ALL``/``UNLISTEN`` round trip on every
    release would reset nothing. A connection whose statement was cancelled is terminated,
    never pooled. Connections open on demand (``min_size=0``), up to ``size``."""

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
                        self._dsn, min_size=0, max_size=self._size, reset=_keep_session
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


@asynccontextmanager
async def runner_transaction(
    engine: AsyncEngine, *, hot_pool: HotPool | None = None, atomic: bool = True
) -> AsyncIterator[Runner]:
    """A pooled connection: asyncpg from ``hot_pool`` on PostgreSQL, SQLAlchemy elsewhere.
    With ``atomic``, one transaction (commits on success, rolls back on any exception);
    without, each statement commits on its own (no BEGIN/COMMIT round trips, for reads that
    need no common snapshot and for the single-statement functions)."""
    if hot_pool is None:
        async with engine.begin() as connection:
            yield SqlAlchemyRunner(connection)
        return
    try:
        async with hot_pool.connection() as driver:
            if not atomic:
                yield AsyncpgRunner(driver)
                return
            async with driver.transaction():
                yield AsyncpgRunner(driver)
    except DRIVER_ERRORS as error:  # connecting, BEGIN, COMMIT or ROLLBACK failed
        raise sqlalchemy_error(error, "BEGIN/COMMIT", None) from error
