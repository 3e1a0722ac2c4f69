"""The asyncpg runner of the hot path on PostgreSQL: UTC timestamps both ways, row counts,
and driver errors leaving as SQLAlchemy's (so ``api.db`` translates them as elsewhere)."""

from __future__ import annotations

import datetime as dt

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import select

from api.app import create_app
from api.errors import InvalidRequest
from api.models import Hold, Slot
from api.services.holds import INSERT_HOLD
from api.settings import ApiSettings
from api.statements import AsyncpgRunner, sqlalchemy_error
from api.testing import prepare

MOMENT = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))


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


@pytest.mark.postgres
async def test_asyncpg_runner_round_trip_and_errors(postgres_url: str) -> None:
    app = create_app(ApiSettings(database_url=postgres_url, database_pool_size=2))
    database = app.state.services.context.database
    try:
        await prepare(app, days=3)  # a weekday among them
        async with database.runner() as runner:
            assert isinstance(runner, AsyncpgRunner)
            slot_id = await runner.scalar(select(Slot.__table__.c.id).limit(1), {})
            assert isinstance(slot_id, int)
            assert await runner.rowcount(INSERT_HOLD, hold_values("a" * 32, slot_id)) == 1
            row = await runner.one_or_none(
                select(Hold.__table__).where(Hold.__table__.c.id == "a" * 32), {}
            )
            assert row.created_at == MOMENT and row.created_at.tzinfo is dt.UTC
            assert row._asdict()["caller_number"] == "+420601000001"
            with pytest.raises(ValueError, match="naive"):
                await runner.rowcount(
                    INSERT_HOLD,
                    {**hold_values("b" * 32, slot_id), "created_at": dt.datetime(2026, 1, 1)},
                )
        with pytest.raises(sa_exc.IntegrityError):  # the same hold id again
            async with database.runner() as runner:
                await runner.rowcount(INSERT_HOLD, hold_values("a" * 32, slot_id))
        with pytest.raises(InvalidRequest):  # a NUL character: PostgreSQL's data exception
            async with database.runner() as runner:
                await runner.rowcount(INSERT_HOLD, hold_values("c" * 32, slot_id, "+420\x00"))
        async with database.runner() as runner:  # the failures left nothing behind
            assert (
                await runner.scalar(
                    select(Hold.__table__.c.id).where(Hold.__table__.c.id != "a" * 32), {}
                )
                is None
            )
    finally:
        await database.dispose()


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (asyncpg.exceptions.AdminShutdownError("terminating connection"), sa_exc.OperationalError),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed"), sa_exc.OperationalError),
        (asyncpg.exceptions.InternalClientError("another operation"), sa_exc.OperationalError),
        (ConnectionResetError(), sa_exc.OperationalError),
        (asyncpg.exceptions.UniqueViolationError("duplicate key"), sa_exc.IntegrityError),
        (asyncpg.exceptions.CharacterNotInRepertoireError("NUL"), sa_exc.DataError),
        (asyncpg.exceptions.UndefinedTableError("no table"), sa_exc.DBAPIError),
    ],
)
def test_driver_errors_leave_as_sqlalchemys(error: Exception, expected: type) -> None:
    translated = sqlalchemy_error(error, "SELECT 1", [])
    assert type(translated) is expected
    assert translated.orig is error
