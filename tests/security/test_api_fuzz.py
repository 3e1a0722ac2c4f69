"""Fuzz the slot service from its own OpenAPI schema (schemathesis, in-process ASGI).

Every operation gets generated requests, valid and invalid, with each role's token: none may end
in a 5xx, and every refusal (4xx) must carry an ``error_id``. The app runs on a seeded
PostgreSQL database (a copy of the session's template for today) so that lookups reach the
services and the database, not just the validators: PostgreSQL's own checks (NUL characters,
integer ranges, string lengths) are fuzzed too.

The schema must exist when pytest collects the module, so the app (which connects lazily) is
built at import for a database name chosen here; the fixture creates that database.
``/admin/materialise`` is left out: a valid ``days`` up to 800 makes each call seconds long,
and its validation is covered by the admin tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
import schemathesis

from api.app import create_app
from api.settings import ApiSettings
from api.testing import create_database, database_url, drop_database, new_database_name
from tests.security.fuzzing import FUZZ_SETTINGS, SLOW_PATHS, check_every_role
from tests.support.services import POSTGRES_ADMIN_DSN

URL = database_url(POSTGRES_ADMIN_DSN, new_database_name("ivr_fuzz"))
APP = create_app(ApiSettings(database_url=URL))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path=SLOW_PATHS)


@pytest.fixture(scope="module", autouse=True)
def seeded_database(postgres_server: str, today_template: str) -> Iterator[None]:
    name = URL.rsplit("/", 1)[-1]
    asyncio.run(create_database(postgres_server, template=today_template, name=name))
    yield
    asyncio.run(APP.state.services.context.database.dispose())
    asyncio.run(drop_database(postgres_server, URL))


@pytest.mark.postgres
@schema.parametrize()
@FUZZ_SETTINGS
def test_no_server_error_and_every_refusal_has_an_error_id(case: schemathesis.Case) -> None:
    check_every_role(case)


def test_the_fuzzed_schema_covers_every_route() -> None:
    loaded = schemathesis.openapi.from_asgi("/openapi.json", APP)
    paths = {operation.ok().path for operation in loaded.get_all_operations()}
    assert {"/holds", "/bookings", "/bookings/{reference}/cancel", "/availability"} <= paths
    assert "/operator/bookings" in paths and "/admin/closures" in paths
