"""bench/load_bench.py's CPU readings: PostgreSQL's server processes of one database are found
in /proc and their CPU between two readings counts backends that came and stayed."""

from __future__ import annotations

import argparse

import asyncpg
import pytest

from bench.load_bench import configurations, postgres_backends, postgres_cpu_between


def test_cpu_between_readings_counts_a_backend_that_started_in_between() -> None:
    assert postgres_cpu_between({1: 2.0, 2: 1.0}, {1: 2.5, 2: 1.0, 3: 0.25}) == 0.75


def test_configurations_are_one_two_or_both() -> None:
    assert configurations("1") == [1]
    assert configurations("1,2") == [1, 2]
    with pytest.raises(argparse.ArgumentTypeError):
        configurations("3")


@pytest.mark.postgres
async def test_the_backends_of_a_database_are_found_and_their_cpu_grows(postgres_url: str) -> None:
    name = postgres_url.rsplit("/", 1)[1]
    connection = await asyncpg.connect(postgres_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        before = postgres_backends(name)
        assert len(before) == 1, "this test's one connection"
        await connection.execute("SELECT count(*) FROM generate_series(1, 3000000)")
        after = postgres_backends(name)
    finally:
        await connection.close()
    assert after.keys() == before.keys()
    assert postgres_cpu_between(before, after) > 0


def test_a_database_url_is_refused_rather_than_read_as_zero_cpu() -> None:
    with pytest.raises(ValueError, match="database name"):
        postgres_backends("postgresql+asyncpg://127.0.0.1:5432/test")
