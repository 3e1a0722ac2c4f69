"""Taking the hold and inserting the booking (``take_hold_and_insert``, the Python path that
SQLite runs; the statements are plain enough for PostgreSQL too, so both are checked): a hold
no longer active and unexpired writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.app import create_app
from api.models import Booking, Hold, Slot
from api.services.booking_steps import take_hold_and_insert
from api.services.holds import INSERT_HOLD
from api.settings import ApiSettings
from api.testing import prepare, sqlite_settings

MOMENT = dt.datetime(2026, 12, 7, 8, 30, tzinfo=dt.UTC)
HOLDS = Hold.__table__
BOOKINGS = Booking.__table__


def booking_values(hold_id: str, slot: object, reference: str) -> dict[str, object]:
    return {
        "reference": reference,
        "slot_id": slot.id,  # type: ignore[attr-defined]
        "office_code": slot.office_code,  # type: ignore[attr-defined]
        "visit_type_code": slot.visit_type_code,  # type: ignore[attr-defined]
        "starts_at": slot.starts_at,  # type: ignore[attr-defined]
        "local_date": slot.local_date,  # type: ignore[attr-defined]
        "caller_number": "+420601000001",
        "language": "cs",
        "identity_hash": "f" * 64,
        "channel": "phone",
        "status": "confirmed",
        "hold_id": hold_id,
        "idempotency_key": None,
        "created_at": MOMENT,
        "updated_at": MOMENT,
    }


async def check_take_hold(settings: ApiSettings) -> None:
    app = create_app(settings)
    database = app.state.services.context.database
    try:
        await prepare(app, days=3)
        async with database.runner() as runner:
            slot = await runner.one_or_none(select(Slot.__table__).limit(1), {})
            for hold_id, status in (
                ("a" * 32, "active"),
                ("b" * 32, "released"),
                ("c" * 32, "active"),
            ):
                await runner.rowcount(
                    INSERT_HOLD,
                    {
                        "id": hold_id,
                        "slot_id": slot.id,
                        "channel": "phone",
                        "caller_number": "+420601000001",
                        "language": "cs",
                        "status": status,
                        "created_at": MOMENT,
                        "expires_at": MOMENT + dt.timedelta(minutes=2),
                    },
                )
        async with database.runner() as runner:
            booked = await take_hold_and_insert(
                runner, values=booking_values("a" * 32, slot, "00000017"), now=MOMENT
            )
            released = await take_hold_and_insert(
                runner, values=booking_values("b" * 32, slot, "00000025"), now=MOMENT
            )
            expired = await take_hold_and_insert(  # active, but past its expiry
                runner,
                values=booking_values("c" * 32, slot, "00000033"),
                now=MOMENT + dt.timedelta(minutes=3),
            )
        assert isinstance(booked, int)
        assert released is None and expired is None
        async with database.runner() as runner:
            statuses = await runner.all(select(HOLDS.c.id, HOLDS.c.status).order_by("id"), {})
            assert [(row.id[0], row.status) for row in statuses] == [
                ("a", "booked"),
                ("b", "released"),
                ("c", "active"),
            ]
            assert await runner.scalar(select(func.count()).select_from(BOOKINGS), {}) == 1
    finally:
        await database.dispose()


async def test_take_hold_on_sqlite(tmp_path: Path) -> None:
    await check_take_hold(sqlite_settings(tmp_path))


@pytest.mark.postgres
async def test_take_hold_on_postgresql(postgres_url: str) -> None:
    await check_take_hold(ApiSettings(database_url=postgres_url, database_pool_size=2))
