"""The statement runner: aware datetimes both ways (timestamptz), JSON decoded, row counts,
bulk inserts, errors translated where the statement runs and a failed transaction left
empty; the compile cache, which must never hand one statement another's SQL."""

from __future__ import annotations

import datetime as dt
from typing import cast

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import Table, insert, literal_column, select

from api.errors import InvalidRequest, UniqueViolation
from api.models import Hold, Office, Slot
from api.statements import _compiled_cache, compiled
from tests.api.support import hold_and_book

MOMENT = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
HOLDS = cast(Table, Hold.__table__)
INSERT_HOLD = insert(HOLDS)
HOLD_BY_ID = select(HOLDS).where(HOLDS.c.id == literal_column("'" + "a" * 32 + "'"))
ANY_SLOT = select(cast(Table, Slot.__table__).c.id).limit(1)
OFFICE_NAMES = select(cast(Table, Office.__table__).c.names).limit(1)
COUNT_HOLDS = select(literal_column("count(*)")).select_from(HOLDS)


def hold_values(hold_id: str, slot_id: int, caller: str = "+420601000001") -> dict[str, object]:
    return {
        "id": hold_id,
        "slot_id": slot_id,
        "channel": "phone",
        "caller_number": caller,
        "language": "cs",
        "status": "active",
        "created_at": MOMENT,
        "expires_at": MOMENT + dt.timedelta(minutes=2),
    }


async def test_round_trip_and_errors(app: FastAPI) -> None:
    database = app.state.services.context.database
    async with database.transaction() as runner:
        slot_id = await runner.scalar(ANY_SLOT)
        assert await runner.rowcount(INSERT_HOLD, hold_values("a" * 32, slot_id)) == 1
        row = await runner.one(HOLD_BY_ID)
        assert row.created_at == MOMENT and row.created_at.utcoffset() == dt.timedelta(0)
        assert row._asdict()["caller_number"] == "+420601000001"
        assert (await runner.scalar(OFFICE_NAMES))["en"]  # json decoded
    with pytest.raises(UniqueViolation) as taken:  # the same hold id again
        async with database.transaction() as runner:
            await runner.execute_many(
                INSERT_HOLD, [hold_values("b" * 32, slot_id), hold_values("a" * 32, slot_id)]
            )
    assert taken.value.constraint == "holds_pkey"
    with pytest.raises(InvalidRequest):  # a NUL character: PostgreSQL's data exception
        async with database.transaction() as runner:
            await runner.rowcount(INSERT_HOLD, hold_values("c" * 32, slot_id, "+420\x00"))
    async with database.autocommit() as runner:  # the failures left nothing behind
        assert await runner.scalar(COUNT_HOLDS) == 1


def test_a_statement_built_per_call_never_gets_another_ones_sql() -> None:
    """The cache is keyed by id(); CPython gives a freed object's id to the next one at once
    (a cache without the statement served the wrong SQL 46 times in 50 here). The cache
    holds each statement it compiled, so the id cannot come back."""
    for number in range(50):
        statement = select(literal_column(str(number)))
        assert compiled(statement, ()).sql == f"SELECT {number}"
        del statement


async def test_the_services_statements_are_built_once(ivr: httpx.AsyncClient) -> None:
    """Every statement is a module constant: a second round of the same calls compiles
    nothing new."""
    sizes = []
    for visit_type in ("ltr-extension", "biometrics"):
        booking = await hold_and_book(ivr, visit_type=visit_type)
        await ivr.get("/bookings", params={"caller_number": booking["caller_number"]})
        await ivr.post(
            f"/bookings/{booking['reference']}/cancel",
            json={"caller_number": booking["caller_number"]},
        )
        await ivr.get("/offices")
        sizes.append(len(_compiled_cache))
    assert sizes[1] == sizes[0]
