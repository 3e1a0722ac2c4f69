from __future__ import annotations

import asyncio

import asyncpg
import pytest
from typer.testing import CliRunner

from api.cli import cli
from api.db import asyncpg_dsn


async def _counts(url: str) -> tuple[int, int, int]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        row = await connection.fetchrow(
            "SELECT (SELECT count(*) FROM offices), (SELECT count(*) FROM visit_types),"
            " (SELECT count(*) FROM slots)"
        )
    finally:
        await connection.close()
    return row[0], row[1], row[2]


def test_migrate_seed_materialise_on_a_fresh_database(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLOTS_DATABASE_URL", postgres_url)
    monkeypatch.setenv("SLOTS_HORIZON_DAYS", "7")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    seeded = runner.invoke(cli, ["seed"])
    assert seeded.exit_code == 0, seeded.output
    again = runner.invoke(cli, ["seed"])
    assert again.exit_code == 0
    assert "0 new slots" in again.output
    assert runner.invoke(cli, ["materialise", "--days", "7"]).exit_code == 0
    offices, visits, slots = asyncio.run(_counts(postgres_url))
    assert (offices, visits) == (12, 7)
    assert slots > 0
