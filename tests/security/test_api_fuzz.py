"""Fuzz the slot service from its own OpenAPI schema (schemathesis, in-process ASGI).

Every operation gets generated requests, valid and invalid, with each role's token: none may end
in a 5xx, and every refusal (4xx) must carry an ``error_id``. The app runs on a seeded SQLite
file so that lookups reach the services and the database, not just the validators (the same
on PostgreSQL: test_api_fuzz_postgres.py).
``/admin/materialise`` is left out: a valid ``days`` up to 800 makes each call seconds long,
and its validation is covered by the admin tests.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis

from api.app import create_app
from api.clock import SystemClock
from api.testing import build_template, sqlite_settings
from tests.security.fuzzing import FUZZ_SETTINGS, SLOW_PATHS, check_every_role

# Cheap and without side effects (the engine connects lazily): the schema must exist when
# pytest collects the module; the database file is prepared by the fixture below.
FOLDER = Path(tempfile.mkdtemp(prefix="slots-fuzz-"))
APP = create_app(sqlite_settings(FOLDER))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path=SLOW_PATHS)


@pytest.fixture(scope="module", autouse=True)
def seeded_database() -> Iterator[None]:
    asyncio.run(build_template(FOLDER, clock=SystemClock(), days=3))
    yield
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_and_every_refusal_has_an_error_id(case: schemathesis.Case) -> None:
    check_every_role(case)


def test_the_fuzzed_schema_covers_every_route() -> None:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", APP)
    paths = {operation.ok().path for operation in loaded.get_all_operations()}
    assert {"/holds", "/bookings", "/bookings/{reference}/cancel", "/availability"} <= paths
    assert "/operator/bookings" in paths and "/admin/closures" in paths
