"""The PostgreSQL pool keeps its connections: more concurrent transactions than the pool
holds wait for a pooled connection instead of each opening (and then closing) a new one."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from api.db import Database


@pytest.mark.postgres
async def test_transactions_beyond_the_pool_reuse_its_connections(postgres_url: str) -> None:
    database = Database(url=postgres_url, pool_size=2)
    backends: set[int] = set()

    async def transaction() -> None:
        async with database.runner() as runner:
            backends.add(int(await runner.scalar(select(func.pg_backend_pid()), {})))
            await asyncio.sleep(0.05)  # hold the connection while the others ask for one

    try:
        for _ in range(3):
            await asyncio.gather(*(transaction() for _ in range(6)))
    finally:
        await database.dispose()
    assert len(backends) == 2
