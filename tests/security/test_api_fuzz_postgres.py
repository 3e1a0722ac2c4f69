"""The schemathesis fuzz of test_api_fuzz.py against PostgreSQL, the production database: its
validation differs from SQLite's (NUL characters, integer ranges, string lengths).

The schema must exist when pytest collects the module, so the app (which connects lazily) is
built at import for a database name chosen here; the fixture creates, migrates and seeds that
database, and drops it afterwards.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest
import schemathesis

from api.app import create_app
from api.settings import ApiSettings
from api.testing import prepared_app
from tests.security.fuzzing import FUZZ_SETTINGS, SLOW_PATHS, check_every_role
from tests.support.services import POSTGRES_ADMIN_DSN, run_admin_sql, unavailable

NAME = f"ivr_test_fuzz_{uuid.uuid4().hex[:8]}"
URL = (POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
       + f"/{NAME}")
APP = create_app(ApiSettings(database_url=URL))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path=SLOW_PATHS)


async def _prepare() -> None:
    async with prepared_app(settings=ApiSettings(database_url=URL), days=3):
        pass


@pytest.fixture(scope="module", autouse=True)
def seeded_database() -> Iterator[None]:
    try:
        asyncio.run(run_admin_sql(f'CREATE DATABASE "{NAME}"'))
    except (OSError, ImportError) as exc:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_DSN} is not reachable: {exc}")
    try:
        asyncio.run(_prepare())
        yield
    finally:
        asyncio.run(run_admin_sql(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)'))


@pytest.mark.postgres
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_on_postgres(case: schemathesis.Case) -> None:
    check_every_role(case)
