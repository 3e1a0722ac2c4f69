"""The hold and availability route tests again, on PostgreSQL: there holds and bookings run
straight on asyncpg (``api.statements.AsyncpgRunner``), not through SQLAlchemy as on SQLite, so the
hold rules (free seats, live holds, the caller's quota, notice, closed days) are checked on
that path too. The ``app`` fixture here overrides the SQLite one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from api.clock import ManualClock
from api.settings import ApiSettings
from api.testing import prepared_app
from tests.api.routes.test_slots import *  # noqa: F403  (the same tests, collected here)

pytestmark = pytest.mark.postgres


@pytest.fixture
async def app(postgres_url: str, clock: ManualClock) -> AsyncIterator[FastAPI]:
    settings = ApiSettings(database_url=postgres_url, database_pool_size=5)
    async with prepared_app(settings=settings, clock=clock) as prepared:
        yield prepared
