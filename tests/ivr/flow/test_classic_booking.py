"""The booking flow through the classic AGI entry point: Asterisk runs `ivr-agi-classic booking`
once per call on stdin/stdout; the route factory builds the flow from the environment."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from api.testing import prepared_app, query
from ivr.slots import SlotClient
from tests.fakes.fake_asterisk import HangUp, Press, Silence, run_classic_agi
from tests.ivr.flow.http_slots import slot_service_over_http

CALLER = "+420777123456"
CLASSIC = str(Path(sys.executable).parent / "ivr-agi-classic")
HOLD_STATUSES = text("SELECT status FROM holds")


@pytest.fixture
async def app(postgres_server: str, today_template: str) -> AsyncIterator[FastAPI]:
    async with prepared_app(postgres_server, template=today_template) as prepared:
        yield prepared


async def test_a_caller_books_through_classic_agi(app: FastAPI) -> None:
    async with slot_service_over_http(app) as url:
        transcript, returncode, stderr = await run_classic_agi(
            [CLASSIC, "booking"],
            caller=[
                Press("3"),
                Press("1"),
                Press("1"),
                Press("1"),
                Press("123456789#"),
                Press("05011990"),
                Press("1"),
                Press("1"),
                Silence(),
            ],
            env={"IVR_SLOTS_BASE_URL": url},
        )
        async with SlotClient(base_url=url, token="ivr-dev-token") as slots:
            (booking,) = await slots.bookings_for_caller(CALLER)
    assert returncode == 0, stderr.decode()
    assert transcript.variables["IVR_RESULT"] == "booked"
    assert transcript.variables["CHANNEL(language)"] == "uk"
    assert booking.language == "uk"


async def test_a_classic_agi_caller_who_hangs_up_at_the_offer_leaves_no_hold(
    app: FastAPI,
) -> None:
    async with slot_service_over_http(app) as url:
        transcript, returncode, stderr = await run_classic_agi(
            [CLASSIC, "booking"],
            caller=[
                Press("2"),
                Press("1"),
                Press("1"),
                Press("1"),
                Press("123456789#"),
                Press("05011990"),
                Press("1"),
                Press("7"),
                HangUp(),
            ],
            env={"IVR_SLOTS_BASE_URL": url},
        )
        async with SlotClient(base_url=url, token="ivr-dev-token") as slots:
            assert await slots.bookings_for_caller(CALLER) == []
            slot_offered = "en/ivr/slot-offer" in transcript.played
    assert returncode == 0, stderr.decode()
    assert transcript.caller_hung_up and slot_offered
    statuses = [row[0] for row in await query(app, HOLD_STATUSES)]
    assert len(statuses) == 1 and "active" not in statuses, statuses
