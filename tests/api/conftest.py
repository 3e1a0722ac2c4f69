from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from api.clock import ManualClock
from api.testing import DEV_TOKENS, client_for, prepared_app
from tests.support.services import template_database

# Monday 7 December 2026, 07:00 in Prague: two working weeks of slots follow.
START = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="session")
def slots_template(postgres_server: str) -> Iterator[str]:
    """Migrated, seeded, 14 days of slots from START; cloned for each test."""
    with template_database(postgres_server, clock=ManualClock(START), days=14) as url:
        yield url


@pytest.fixture
async def app(
    postgres_server: str, clock: ManualClock, slots_template: str
) -> AsyncIterator[FastAPI]:
    async with prepared_app(postgres_server, clock=clock, template=slots_template) as prepared:
        yield prepared


@pytest.fixture
async def ivr(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, DEV_TOKENS["ivr"]) as client:
        yield client


@pytest.fixture
async def operator(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, DEV_TOKENS["operator"]) as client:
        yield client


@pytest.fixture
async def admin(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, DEV_TOKENS["admin"]) as client:
        yield client


@pytest.fixture
async def desk(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(app, DEV_TOKENS["desk"]) as client:
        yield client
