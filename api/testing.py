"""A migrated and seeded slot service on a PostgreSQL database of its own, in a few lines, for
this package's tests and for the other parts (the slot client, the call flow, the operator
console, the fault tests) that test against the real app in-process.

    from api.testing import DEV_TOKENS, client_for, prepared_app
    async with prepared_app(server) as app:
        async with client_for(app, DEV_TOKENS["ivr"]) as http:
            offices = (await http.get("/offices")).json()

``server`` is the maintenance database of a PostgreSQL server on which tests may create
databases, as a DSN (``postgresql://postgres@127.0.0.1:5432/test``; the tests' fixture
``postgres_server`` gives it, from ``IVR_TEST_POSTGRES_DSN``). ``prepared_app`` creates a
database of its own, migrates it, loads the seed file and materialises ``days`` days of slots
(default 14) from the clock's date, which takes about a second; it drops the database
afterwards. Many tests: build a template once with ``build_template`` (a session fixture)
and pass ``template=`` to clone it instead (``CREATE DATABASE … TEMPLATE``, a few tens of
milliseconds). Pass ``clock=ManualClock(...)`` to control hold expiry and policy windows (the
same date the template was built for), and ``settings=`` for other policies or tokens (its
database URL is replaced by the new database's).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.sql import Executable

from api.app import create_app
from api.clock import Clock, SystemClock
from api.db import asyncpg_dsn, migrate
from api.routes.deps import Services
from api.seeding import apply_seed, load_seed_file
from api.settings import ApiSettings
from api.statements import NO_PARAMETERS, Row

DEV_TOKENS = {
    "ivr": "ivr-dev-token",
    "operator": "operator-dev-token",
    "desk": "desk-dev-token",
    "admin": "admin-dev-token",
}
# WAL_LOG (PostgreSQL 15's default) copies a small template through the WAL, without the two
# checkpoints of FILE_COPY: measured faster for this database (docs/benchmarks.md)
CLONE_STRATEGY = "WAL_LOG"


def database_url(server: str, name: str) -> str:
    """The SQLAlchemy asyncpg URL of database ``name`` on the server of ``server``."""
    return (
        make_url(asyncpg_dsn(server))
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


def database_name(url: str) -> str:
    name = make_url(url).database
    if not name:
        raise ValueError(f"no database in {url!r}")
    return name


async def run_on_server(server: str, sql: str) -> None:
    """One statement on the maintenance database (CREATE/DROP DATABASE)."""
    connection = await asyncpg.connect(asyncpg_dsn(server), timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def new_database_name(prefix: str = "ivr_test") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:12]}"


async def create_database(
    server: str, *, template: str | None = None, name: str | None = None
) -> str:
    """A new database (empty, or a copy of the database ``template`` names), called ``name``
    or a fresh name; its URL."""
    name = name or new_database_name()
    copy = f' TEMPLATE "{database_name(template)}" STRATEGY {CLONE_STRATEGY}' if template else ""
    await run_on_server(server, f'CREATE DATABASE "{name}"{copy}')
    return database_url(server, name)


async def drop_database(server: str, url: str) -> None:
    await run_on_server(server, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


@asynccontextmanager
async def fresh_database(server: str, *, template: str | None = None) -> AsyncIterator[str]:
    """A database of its own for the block (a copy of ``template`` if given); its URL."""
    url = await create_database(server, template=template)
    try:
        yield url
    finally:
        await drop_database(server, url)


async def prepare(app: FastAPI, *, days: int = 14, first_day: dt.date | None = None) -> int:
    """Migrate, seed and materialise the database of ``app``; return the slots created."""
    services = app.state.services
    assert isinstance(services, Services)
    settings = services.context.settings
    await migrate(settings.database_url)
    await apply_seed(database=services.context.database, seed=load_seed_file(settings.seed_file))
    return await services.materialise.materialise(first_day=first_day, days=days)


async def build_template(server: str, *, clock: Clock, days: int = 14) -> str:
    """A migrated, seeded database with ``days`` days of slots from the clock's date, to
    clone into many tests (``prepared_app(template=…)``); its URL. Drop it with
    ``drop_database`` when done."""
    url = await create_database(server, name=new_database_name("ivr_template"))
    app = create_app(ApiSettings(database_url=url), clock=clock)
    built = False
    try:
        await prepare(app, days=days)
        built = True
    finally:
        await app.state.services.context.database.dispose()
        if not built:
            await drop_database(server, url)
    return url


@asynccontextmanager
async def prepared_app(
    server: str | None = None,
    *,
    settings: ApiSettings | None = None,
    clock: Clock | None = None,
    days: int = 14,
    template: str | None = None,
) -> AsyncIterator[FastAPI]:
    """An app on a migrated, seeded database: a new one on ``server`` (a copy of
    ``template`` if given), dropped afterwards; without ``server``, the database of
    ``settings`` as it is, migrated and seeded in place."""
    if server is not None and not isinstance(server, str):
        raise TypeError(
            "prepared_app(server, …) takes the DSN of a PostgreSQL server (the fixture "
            f"postgres_server), not {type(server).__name__}"
        )
    if server is None:
        if settings is None or template is not None:
            raise ValueError("give a server to create the database on, or settings alone")
        async with _app(settings, clock, days=days, prepare_it=True) as app:
            yield app
        return
    async with fresh_database(server, template=template) as url:
        chosen = (settings or ApiSettings()).model_copy(update={"database_url": url})
        async with _app(chosen, clock, days=days, prepare_it=template is None) as app:
            yield app


@asynccontextmanager
async def _app(
    settings: ApiSettings, clock: Clock | None, *, days: int, prepare_it: bool
) -> AsyncIterator[FastAPI]:
    app = create_app(settings, clock=clock or SystemClock())
    try:
        if prepare_it:
            await prepare(app, days=days)
        yield app
    finally:
        await app.state.services.context.database.dispose()


async def query(
    app: FastAPI, statement: Executable, params: Mapping[str, Any] = NO_PARAMETERS
) -> list[Row]:
    """The rows of one statement on the database of ``app``, for tests that look behind the
    API (a module constant, as every statement: ``api.statements``)."""
    services = app.state.services
    assert isinstance(services, Services)
    async with services.context.database.autocommit() as runner:
        return await runner.all(statement, params)


def client_for(app: FastAPI, token: str | None) -> httpx.AsyncClient:
    """An in-process HTTP client of ``app`` (httpx ASGITransport) sending ``token``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://slots.test", headers=headers
    )
