from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from typer.testing import CliRunner

from api.cli import cli
from api.clock import ManualClock
from api.db import asyncpg_dsn
from api.errors import InvalidRequest
from api.services.retention import RetentionService
from tests.api.support import CALLER, book, hold
from tests.support.services import fresh_database

BOOKINGS = text("SELECT reference, caller_number, identity_hash, status FROM bookings")
HOLDS = text("SELECT count(*) FROM holds")


async def _book_after(ivr: httpx.AsyncClient, after: str, visit_type: str) -> str:
    found = await ivr.get(
        "/availability",
        params={"office": "praha-zukovskeho", "visit_type": visit_type, "after": after},
    )
    slot = found.json()["slots"][0]
    held = await hold(ivr, slot["slot_id"])
    booked = await book(ivr, held.json()["hold_id"])
    assert booked.status_code == 201, booked.text
    reference: str = booked.json()["reference"]
    return reference


async def _rows(app: FastAPI) -> dict[str, tuple[str, str, str]]:
    async with app.state.services.context.database.autocommit() as runner:
        rows = await runner.all(BOOKINGS)
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


async def _holds(app: FastAPI) -> int:
    async with app.state.services.context.database.autocommit() as runner:
        count: int = await runner.scalar(HOLDS)
    return count


async def test_personal_data_of_past_visits_is_erased_and_the_rest_kept(
    app: FastAPI, ivr: httpx.AsyncClient, operator: httpx.AsyncClient, clock: ManualClock
) -> None:
    early = await _book_after(ivr, "2026-12-08T00:00:00+01:00", "ltr-extension")
    late = await _book_after(ivr, "2026-12-17T00:00:00+01:00", "biometrics")
    clock.advance(days=95)  # cutoff of 90 days: 12 December, between the two visits
    retention = RetentionService(app.state.services.context)

    report = await retention.purge_personal_data(older_than_days=90)

    assert (report.bookings_erased, report.holds_deleted) == (1, 2)
    rows = await _rows(app)
    assert rows[early] == ("", "", "confirmed")
    assert rows[late][0] == CALLER and rows[late][1]
    assert await _holds(app) == 0
    # the erased booking still counts in the statistics but no caller can open it any more
    by_caller = await ivr.get(f"/bookings/{early}", params={"caller_number": CALLER})
    assert by_caller.status_code == 404
    by_staff = await operator.get(f"/bookings/{early}")
    assert by_staff.json()["office"] == "praha-zukovskeho"
    again = await retention.purge_personal_data(older_than_days=90)
    assert (again.bookings_erased, again.holds_deleted) == (0, 0)


async def test_a_period_shorter_than_the_identity_window_is_refused(app: FastAPI) -> None:
    with pytest.raises(InvalidRequest) as refused:
        await RetentionService(app.state.services.context).purge_personal_data(
            older_than_days=30
        )
    assert refused.value.details["identity_window_days"] == 60


@pytest.fixture
def database_copy(postgres_server: str, slots_template: str) -> Iterator[str]:
    with fresh_database(postgres_server, template=slots_template) as url:
        yield url


async def _execute(url: str, sql: str) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return list(await connection.fetch(sql))
    finally:
        await connection.close()


def test_the_command_purges_and_refuses_a_short_period(
    database_copy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    asyncio.run(_execute(database_copy,  # a visit long past, from the phone
        "INSERT INTO bookings (reference, slot_id, office_code, visit_type_code, starts_at,"
        " local_date, caller_number, language, identity_hash, channel, status, created_at,"
        " updated_at) SELECT '10000009', id, office_code, visit_type_code,"
        " '2020-01-06 08:00:00Z', '2020-01-06', '+420777123456', 'en', 'abc', 'phone',"
        " 'attended', '2020-01-01 08:00:00Z', '2020-01-06 09:00:00Z' FROM slots LIMIT 1"
    ))
    monkeypatch.setenv("SLOTS_DATABASE_URL", database_copy)
    runner = CliRunner()

    short = runner.invoke(cli, ["purge-personal-data", "--older-than-days", "7"])
    assert short.exit_code != 0
    assert "identity_window_days" in short.output

    done = runner.invoke(cli, ["purge-personal-data", "--older-than-days", "365"])
    assert done.exit_code == 0, done.output
    assert "erased from 1 bookings" in done.output
    rows = asyncio.run(_execute(database_copy, "SELECT caller_number, identity_hash FROM bookings"))
    assert [tuple(row) for row in rows] == [("", "")]
