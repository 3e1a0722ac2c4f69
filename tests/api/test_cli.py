from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import cli


def test_migrate_seed_materialise_on_a_fresh_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "not" / "yet" / "slots.sqlite3"
    monkeypatch.setenv("SLOTS_DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("SLOTS_HORIZON_DAYS", "7")
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    seeded = runner.invoke(cli, ["seed"])
    assert seeded.exit_code == 0, seeded.output
    again = runner.invoke(cli, ["seed"])
    assert again.exit_code == 0
    assert "0 new slots" in again.output
    assert runner.invoke(cli, ["materialise", "--days", "7"]).exit_code == 0
    with sqlite3.connect(database) as connection:
        offices = connection.execute("select count(*) from offices").fetchone()[0]
        visits = connection.execute("select count(*) from visit_types").fetchone()[0]
        slots = connection.execute("select count(*) from slots").fetchone()[0]
    assert (offices, visits) == (12, 7)
    assert slots > 0
