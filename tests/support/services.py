"""Access to the machine's real services for tests.

Under ``CI=true`` a missing service is a failure, never a skip: CI must prove the PostgreSQL and
Asterisk paths. Locally a missing service skips with the reason.

PostgreSQL: the server at ``IVR_TEST_POSTGRES_DSN`` (default 127.0.0.1:5432, database
``test``), on which the tests create databases of their own (``api.testing``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from api.clock import Clock
from api.testing import build_template, create_database, drop_database, run_on_server

POSTGRES_ADMIN_DSN = os.environ.get(
    "IVR_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def unavailable(reason: str) -> None:
    """Fail under CI, skip elsewhere."""
    if in_ci():
        pytest.fail(f"required service unavailable under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def reachable_postgres() -> str:
    """The maintenance DSN of the test server, or a skip (a failure under CI) naming why not."""
    try:
        asyncio.run(run_on_server(POSTGRES_ADMIN_DSN, "SELECT 1"))
    except (OSError, TimeoutError) as exc:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_DSN} is not reachable: {exc!r}")
    except Exception as exc:  # asyncpg raises its own tree for auth/protocol failures
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_DSN} refused: {exc!r}")
    return POSTGRES_ADMIN_DSN


@contextmanager
def template_database(server: str, *, clock: Clock, days: int) -> Iterator[str]:
    """A migrated, seeded template (``api.testing.build_template``) for a test session."""
    url = asyncio.run(build_template(server, clock=clock, days=days))
    try:
        yield url
    finally:
        asyncio.run(drop_database(server, url))


@contextmanager
def fresh_database(server: str, *, template: str | None = None) -> Iterator[str]:
    """A database of its own for a synchronous fixture (a copy of ``template`` if given)."""
    url = asyncio.run(create_database(server, template=template))
    try:
        yield url
    finally:
        asyncio.run(drop_database(server, url))
