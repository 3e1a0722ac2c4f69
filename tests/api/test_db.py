"""The pool keeps its connections: more concurrent transactions than the pool holds wait for
a pooled connection instead of each opening (and then closing) a new one; a statement
cancelled mid-way costs its connection, never the pool's health."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select, text

from api.db import Database

BACKEND = select(func.pg_backend_pid())
SLEEP = text("SELECT pg_sleep(5)")


async def test_transactions_beyond_the_pool_reuse_its_connections(postgres_url: str) -> None:
    database = Database(url=postgres_url, pool_size=2)
    backends: set[int] = set()

    async def transaction() -> None:
        async with database.transaction() as runner:
            backends.add(int(await runner.scalar(BACKEND)))
            await asyncio.sleep(0.05)  # hold the connection while the others ask for one

    try:
        for _ in range(3):
            await asyncio.gather(*(transaction() for _ in range(6)))
    finally:
        await database.dispose()
    assert len(backends) == 2


async def test_a_cancelled_statement_terminates_its_connection(postgres_url: str) -> None:
    database = Database(url=postgres_url, pool_size=1)
    try:
        async with database.autocommit() as runner:
            first = await runner.scalar(BACKEND)
        sleeping = asyncio.create_task(_sleep(database))
        await asyncio.sleep(0.2)
        sleeping.cancel()
        with pytest.raises(asyncio.CancelledError):
            await sleeping
        async with database.autocommit() as runner:  # a new connection, answering at once
            assert await runner.scalar(BACKEND) != first
    finally:
        await database.dispose()


async def _sleep(database: Database) -> None:
    async with database.autocommit() as runner:
        await runner.scalar(SLEEP)


def test_only_postgresql_urls_are_accepted() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        Database(url="sqlite+aiosqlite:///build/slots.sqlite3")
