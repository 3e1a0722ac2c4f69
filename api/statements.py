"""Running prebuilt SQLAlchemy Core statements straight on asyncpg, with as little CPU as
possible; every database error leaves as a service error (``api.errors``) in one step.

Why by hand: SQLAlchemy's asyncpg adapter (a greenlet per call, DB-API cursor emulation,
result objects) costs about 0.2 ms of CPU per statement on top of asyncpg, more than
asyncpg's own work. The statements stay Core objects: SQLAlchemy's asyncpg dialect compiles
each once (``compiled.string``, ``construct_params``, ``positiontup``), so PostgreSQL receives
exactly the SQL SQLAlchemy would have sent. No type needs converting: moments are
``timestamptz`` (aware datetimes both ways) and JSON is decoded by a codec on each connection
(``api.db.HotPool``).

Every statement is a module constant, optional filters written as ``(:x IS NULL OR col =
:x)``. The compile cache is keyed by ``id(statement)`` and holds the statement itself, so
while an entry exists no other object can get that id: a statement built per call would
only make the cache grow, never return another statement's SQL.

Errors, translated by ``service_error`` where a statement runs and where a connection, BEGIN
or COMMIT fails::

    connection lost (InterfaceError, OSError, timeouts),
    SQLSTATE 08 (connection), 53 (resources), 57 (shutdown, restart) → DatabaseUnavailable (503)
    SQLSTATE 22 (a value PostgreSQL refuses: a NUL, too long)          → InvalidRequest (422)
    23505 unique violation                                              → UniqueViolation
                                                                          (its constraint)
    anything else: a bug, propagated unchanged
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import asyncpg
from sqlalchemy import ColumnElement, String, bindparam
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql import ClauseElement, Executable
from sqlalchemy.sql.compiler import SQLCompiler

from api.errors import DatabaseUnavailable, InvalidRequest, ServiceError, UniqueViolation

NO_PARAMETERS: Mapping[str, Any] = {}


def optional_filter(column: ColumnElement[str], name: str) -> ColumnElement[bool]:
    """``(:name IS NULL OR column = :name)``: a filter a ``None`` parameter switches off, so
    that one constant statement serves every combination of filters."""
    parameter = bindparam(name, type_=String())
    return parameter.is_(None) | (column == parameter)


class Row(asyncpg.Record):  # type: ignore[misc]  # asyncpg ships no stubs
    """An asyncpg record that also reads by attribute (``row.starts_at``)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def _asdict(self) -> dict[str, Any]:
        return dict(self.items())


@dataclass(frozen=True)
class _Compiled:
    statement: Executable  # held, so that its id stays its own while the entry exists
    sql: str
    compiled: SQLCompiler


_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]
_compiled_cache: dict[tuple[int, tuple[str, ...]], _Compiled] = {}


def compiled(statement: Executable, keys: tuple[str, ...]) -> _Compiled:
    """``statement`` compiled once per set of parameter names (an INSERT's columns are its
    parameters)."""
    cache_key = (id(statement), keys)
    found = _compiled_cache.get(cache_key)
    if found is None:
        assert isinstance(statement, ClauseElement)
        sql_compiler = statement.compile(dialect=_DIALECT, column_keys=list(keys))
        assert isinstance(sql_compiler, SQLCompiler)
        found = _Compiled(statement=statement, sql=sql_compiler.string, compiled=sql_compiler)
        _compiled_cache[cache_key] = found
    return found


def _arguments(statement: Executable, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    entry = compiled(statement, tuple(sorted(params)))
    values = entry.compiled.construct_params(dict(params))
    return entry.sql, [values[name] for name in entry.compiled.positiontup or ()]


# the connection is gone or unusable: the socket failed, the protocol was left mid-operation,
# or no pooled connection came in time
CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.InternalClientError,
    OSError,
    TimeoutError,
)
DRIVER_ERRORS = (asyncpg.PostgresError, *CONNECTION_LOST)


def service_error(error: BaseException) -> ServiceError | None:
    """The service error for a database error; ``None`` for a bug (left to propagate)."""
    sqlstate = str(getattr(error, "sqlstate", "") or "")
    if sqlstate.startswith(("08", "53", "57")):
        return DatabaseUnavailable(
            "the database is restarting, shutting down or out of resources", sqlstate=sqlstate
        )
    if isinstance(error, CONNECTION_LOST):
        return DatabaseUnavailable("the database is unavailable", reason=type(error).__name__)
    if sqlstate.startswith("22"):
        return InvalidRequest("a value cannot be stored or compared", sqlstate=sqlstate)
    if isinstance(error, asyncpg.UniqueViolationError):
        return UniqueViolation(
            "a unique constraint refused the row", constraint=error.constraint_name or ""
        )
    return None


class Runner:
    """The statements of one service call on one pooled connection, inside a transaction or
    each on its own (``api.db.Database.transaction`` and ``autocommit``)."""

    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def all(
        self, statement: Executable, params: Mapping[str, Any] = NO_PARAMETERS
    ) -> list[Row]:
        sql, arguments = _arguments(statement, params)
        try:
            rows: list[Row] = await self._connection.fetch(sql, *arguments, record_class=Row)
        except DRIVER_ERRORS as error:
            _raise_translated(error)
        return rows

    async def one_or_none(
        self, statement: Executable, params: Mapping[str, Any] = NO_PARAMETERS
    ) -> Row | None:
        rows = await self.all(statement, params)
        if len(rows) > 1:
            raise LookupError("more than one row where one at most was expected")
        return rows[0] if rows else None

    async def one(self, statement: Executable, params: Mapping[str, Any] = NO_PARAMETERS) -> Row:
        row = await self.one_or_none(statement, params)
        if row is None:
            raise LookupError("no row where one was expected")
        return row

    async def scalar(
        self, statement: Executable, params: Mapping[str, Any] = NO_PARAMETERS
    ) -> Any:
        row = await self.one_or_none(statement, params)
        return None if row is None else row[0]

    async def rowcount(
        self, statement: Executable, params: Mapping[str, Any] = NO_PARAMETERS
    ) -> int:
        sql, arguments = _arguments(statement, params)
        try:
            status: str = await self._connection.execute(sql, *arguments)
        except DRIVER_ERRORS as error:
            _raise_translated(error)
        return int(status.rsplit(" ", 1)[-1])  # "UPDATE 1", "INSERT 0 1"

    async def execute_many(
        self, statement: Executable, rows: Sequence[Mapping[str, Any]]
    ) -> None:
        """One statement for many parameter sets with the same keys (bulk inserts)."""
        if not rows:
            return
        entry = compiled(statement, tuple(sorted(rows[0])))
        names = entry.compiled.positiontup or ()
        arguments = []
        for params in rows:
            values = entry.compiled.construct_params(dict(params))
            arguments.append([values[name] for name in names])
        try:
            await self._connection.executemany(entry.sql, arguments)
        except DRIVER_ERRORS as error:
            _raise_translated(error)


def _raise_translated(error: BaseException) -> NoReturn:
    translated = service_error(error)
    if translated is None:
        raise error
    raise translated from error
