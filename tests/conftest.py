from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.services import fresh_postgres_database


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test (SQLAlchemy asyncpg URL)."""
    with fresh_postgres_database() as url:
        yield url
