from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from api.clock import ManualClock
from api.testing import DEV_TOKENS, client_for, prepared_app
from tests.conftest import START


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


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
