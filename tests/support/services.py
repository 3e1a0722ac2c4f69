"""Access to the machine's real services for tests.

Under ``CI=true`` a missing service is a failure, never a skip: CI must prove the PostgreSQL and
Asterisk paths. Locally a missing service skips with the reason.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

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


async def run_admin_sql(sql: str) -> None:
    """One statement on the maintenance database (CREATE/DROP DATABASE)."""
    import asyncpg

    conn = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database, yield its SQLAlchemy asyncpg URL, drop it afterwards."""
    name = f"ivr_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(run_admin_sql(f'CREATE DATABASE "{name}"'))
    except (OSError, ImportError) as exc:
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_DSN} is not reachable: {exc}")
    except Exception as exc:  # asyncpg raises its own tree for auth/protocol failures
        unavailable(f"PostgreSQL at {POSTGRES_ADMIN_DSN} refused: {exc!r}")
    base = POSTGRES_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(run_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
