"""PostgreSQL for every test that needs the slot service: the test server, an empty database
per test, and a template for tests that run on today's date (``api.testing``)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from api.clock import SystemClock
from api.testing import create_database, drop_database
from tests.support.services import reachable_postgres, template_database

TODAY_DAYS = 7


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The maintenance DSN of the test server (``IVR_TEST_POSTGRES_DSN``), for
    ``api.testing.prepared_app(postgres_server, …)``; skipped (failed under CI) if absent."""
    return reachable_postgres()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy asyncpg URL)."""
    url = asyncio.run(create_database(postgres_server))
    try:
        yield url
    finally:
        asyncio.run(drop_database(postgres_server, url))


@pytest.fixture(scope="session")
def today_template(postgres_server: str) -> Iterator[str]:
    """Migrated, seeded, 7 days of slots from today (the system clock): for
    ``prepared_app(postgres_server, template=today_template)``."""
    with template_database(postgres_server, clock=SystemClock(), days=TODAY_DAYS) as url:
        yield url
