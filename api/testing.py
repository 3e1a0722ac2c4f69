"""A migrated and seeded slot service in a few lines, for this package's tests and for the
other parts (the slot client, the call flow) that test against the real app in-process.

    from api.testing import prepared_app, client_for
    async with prepared_app(tmp_path) as app:
        async with client_for(app, "ivr-dev-token") as http:
            offices = (await http.get("/offices")).json()

``prepared_app`` migrates a fresh SQLite file under ``tmp_path``, loads the seed file and
materialises ``days`` days of slots (default 14) from the clock's date; that takes about a
second. Many tests: build the file once with ``build_template`` (session fixture) and pass
``template=`` to copy it instead (milliseconds). Pass ``clock=ManualClock(...)`` to control
hold expiry and policy windows (use the same date the template was built for).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI

from api.app import create_app
from api.clock import Clock, SystemClock
from api.db import migrate
from api.routes.deps import Services
from api.seeding import apply_seed, load_seed_file
from api.settings import ApiSettings

DEV_TOKENS = {"ivr": "ivr-dev-token", "operator": "operator-dev-token", "admin": "admin-dev-token"}


def sqlite_settings(folder: Path, **overrides: Any) -> ApiSettings:
    """Settings for a SQLite file in ``folder``, with the demo tokens."""
    return ApiSettings(database_url=f"sqlite+aiosqlite:///{folder / 'slots.sqlite3'}", **overrides)


async def prepare(app: FastAPI, *, days: int = 14, first_day: dt.date | None = None) -> int:
    """Migrate, seed and materialise the database of ``app``; return the slots created."""
    services = app.state.services
    assert isinstance(services, Services)
    settings = services.context.settings
    await migrate(settings.database_url)
    await apply_seed(database=services.context.database, seed=load_seed_file(settings.seed_file))
    return await services.materialise.materialise(first_day=first_day, days=days)


async def build_template(folder: Path, *, clock: Clock, days: int = 14) -> Path:
    """A migrated, seeded SQLite file in ``folder`` to copy into many tests."""
    app = create_app(sqlite_settings(folder), clock=clock)
    try:
        await prepare(app, days=days)
    finally:
        await app.state.services.context.database.dispose()
    return folder / "slots.sqlite3"


@asynccontextmanager
async def prepared_app(
    folder: Path | None = None,
    *,
    settings: ApiSettings | None = None,
    clock: Clock | None = None,
    days: int = 14,
    template: Path | None = None,
) -> AsyncIterator[FastAPI]:
    """An app on a migrated, seeded database (SQLite in ``folder`` unless ``settings``)."""
    if settings is None:
        if folder is None:
            raise ValueError("give a folder for the SQLite file, or settings")
        settings = sqlite_settings(folder)
        if template is not None:
            shutil.copyfile(template, folder / "slots.sqlite3")
    app = create_app(settings, clock=clock or SystemClock())
    try:
        if template is None:
            await prepare(app, days=days)
        yield app
    finally:
        await app.state.services.context.database.dispose()


def client_for(app: FastAPI, token: str | None) -> httpx.AsyncClient:
    """An in-process HTTP client of ``app`` (httpx ASGITransport) sending ``token``."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://slots.test", headers=headers
    )
