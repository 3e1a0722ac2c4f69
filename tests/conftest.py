"""PostgreSQL for every test that needs the slot service: the test server, an empty database
per test, and a template for tests that run on today's date (``api.testing``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from api.clock import SystemClock
from tests.support.services import fresh_database, reachable_postgres, template_database

TODAY_DAYS = 7


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
