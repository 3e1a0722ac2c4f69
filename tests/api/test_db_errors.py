"""Values PostgreSQL refuses (SQLSTATE class 22) are the request's fault: 422, never a 500.

Found by fuzzing the API on PostgreSQL: a NUL character passes every validator (it is a valid
JSON and URL character) but PostgreSQL cannot store or compare it in a text.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite.core
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from api.db import Database, _is_data_exception, _translated
from api.errors import DatabaseUnavailable
from api.settings import ApiSettings
from api.testing import DEV_TOKENS, client_for, prepared_app


@pytest.fixture
async def postgres_app(postgres_url: str) -> AsyncIterator[FastAPI]:
    async with prepared_app(settings=ApiSettings(database_url=postgres_url), days=2) as app:
        yield app


@pytest.mark.postgres
async def test_a_nul_character_is_a_validation_error_on_postgres(postgres_app: FastAPI) -> None:
    async with client_for(postgres_app, DEV_TOKENS["admin"]) as admin:
        responses = [
            await admin.get("/availability", params={"office": "kladno\x00", "visit_type": "x"}),
            await admin.get("/offices/a%00b/visit-types"),
            await admin.get("/admin/closures", params={"office": "\x00"}),
            await admin.post("/admin/closures", json={
                "office": "kladno", "date": "2030-01-07", "reason": "flood\x00"}),
            await admin.post("/bookings", json={
                "hold_id": "h\x00", "caller_number": "+420777123456", "language": "cs",
                "passport_digits": "1234", "birth_date": "1990-01-01"}),
        ]
        healthy = await admin.get("/healthz")
    for response in responses:
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error_id"] == "validation-error"
        assert body["details"]["sqlstate"].startswith("22")
    assert healthy.status_code == 200  # the pool's connections survived


def test_other_database_errors_are_not_hidden() -> None:
    class Orig(Exception):
        sqlstate = "23505"  # unique violation: a bug or a race, not the request's fault

    assert not _is_data_exception(DBAPIError("INSERT", {}, Orig()))
    Orig.sqlstate = "22P05"
    assert _is_data_exception(DBAPIError("SELECT", {}, Orig()))
    assert not _is_data_exception(DBAPIError("SELECT", {}, ValueError("no sqlstate")))


@pytest.mark.parametrize("sqlstate", ["57P03", "57P01", "08006"])
def test_a_server_starting_up_or_shutting_down_is_unavailable(sqlstate: str) -> None:
    """Seen by the PostgreSQL restart fault test: "the database system is starting up"."""

    class Orig(Exception):
        pass

    orig = Orig("the database system is starting up")
    orig.sqlstate = sqlstate  # type: ignore[attr-defined]
    translated = _translated(DBAPIError("SELECT 1", {}, orig))
    assert isinstance(translated, DatabaseUnavailable)
    assert translated.details["sqlstate"] == sqlstate


async def test_a_missing_sqlite_folder_is_unavailable_before_aiosqlite_starts_a_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """aiosqlite does not wait for the worker thread of a failed connect to stop; one still
    stopping when the test's loop closes dies with "Event loop is closed"."""
    started: list[threading.Thread] = []

    class RecordedThread(threading.Thread):
        def start(self) -> None:
            started.append(self)
            super().start()

    monkeypatch.setattr(aiosqlite.core, "Thread", RecordedThread)
    database = Database(url=f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'slots.sqlite3'}")
    try:
        with pytest.raises(DatabaseUnavailable):
            await database.ping()
    finally:
        await database.dispose()
    assert started == []
