from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from api.clock import ManualClock
from api.testing import DEV_TOKENS, build_template, client_for, prepared_app

# Monday 7 December 2026, 07:00 in Prague: two working weeks of slots follow.
START = dt.datetime(2026, 12, 7, 6, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated, seeded, 14 days of slots from START; copied into each test."""
    folder = tmp_path_factory.mktemp("slots-template")
    return asyncio.run(build_template(folder, clock=ManualClock(START), days=14))


@pytest.fixture
async def app(tmp_path: Path, clock: ManualClock, template_db: Path) -> AsyncIterator[FastAPI]:
    async with prepared_app(tmp_path, clock=clock, template=template_db) as prepared:
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
