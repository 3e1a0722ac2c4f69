"""PostgreSQL for every test that needs the slot service: the test server, an empty database
per test, a template for tests that run on today's date and one for tests on a fixed date
(``api.testing``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from api.clock import ManualClock, SystemClock
from tests.support.services import fresh_database, reachable_postgres, template_database

TODAY_DAYS = 7
# Monday 7 December 2026, 07:00 in Prague: two working weeks of slots follow.
START = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The maintenance DSN of the test server (``IVR_TEST_POSTGRES_DSN``), for
    ``api.testing.prepared_app(postgres_server, …)``; skipped (failed under CI) if absent."""
    return reachable_postgres()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy asyncpg URL)."""
    with fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(scope="session")
def today_template(postgres_server: str) -> Iterator[str]:
    """Migrated, seeded, 7 days of slots from today (the system clock): for
    ``prepared_app(postgres_server, template=today_template)``."""
    with template_database(postgres_server, clock=SystemClock(), days=TODAY_DAYS) as url:
        yield url


@pytest.fixture(scope="session")
def slots_template(postgres_server: str) -> Iterator[str]:
    """Migrated, seeded, 14 days of slots from START; cloned for each test (with a
    ``ManualClock(START)``)."""
    with template_database(postgres_server, clock=ManualClock(START), days=14) as url:
        yield url
