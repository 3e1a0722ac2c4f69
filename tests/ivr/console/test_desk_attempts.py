"""The desk's outbound call attempts: the console passes the slot service's attempts of an
office's day through to a desk login, and to nobody else."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from api.outbound_rules import Outcome
from tests.ivr.console.desk_harness import (
    DESK_PASSWORD,
    DESK_USER,
    OFFICE,
    DeskStack,
    book,
    desk_stack,
)

MONDAY_TEN = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)  # 10:00 in Prague


@pytest.fixture
async def stack(postgres_server: str, slots_template: str) -> AsyncIterator[DeskStack]:
    async with desk_stack(postgres_server, slots_template) as ready:
        yield ready


async def reminded_busy_then_kept(stack: DeskStack) -> str:
    """A Tuesday booking reminded on Monday: busy, then kept 31 minutes later."""
    booking = await book(stack, after="2026-12-08T08:59:00+01:00", caller="+420777123456",
                         passport="12345678")
    outbound = stack.slot_app.state.services.outbound
    stack.clock.set(MONDAY_TEN)
    [first] = (await outbound.plan()).calls
    await outbound.record(attempt_id=first.attempt_id, outcome=Outcome.busy)
    stack.clock.advance(minutes=31)
    [second] = (await outbound.plan()).calls
    await outbound.record(attempt_id=second.attempt_id, outcome=Outcome.kept)
    reference: str = booking["reference"]
    return reference


async def test_the_desk_sees_every_attempt_of_the_day_with_its_outcome(stack: DeskStack) -> None:
    reference = await reminded_busy_then_kept(stack)
    async with stack.console_client() as client:
        params = {"office": OFFICE, "day": "2026-12-08"}
        refused = await client.get("/api/desk/outbound/attempts", params=params)
        assert refused.status_code == 401  # no desk login
        login = await client.post("/api/desk/login",
                                  json={"username": DESK_USER, "password": DESK_PASSWORD})
        assert login.status_code == 200
        found = (await client.get("/api/desk/outbound/attempts", params=params)).json()
        other_day = (await client.get("/api/desk/outbound/attempts",
                                      params={**params, "day": "2026-12-09"})).json()
        bad = await client.get("/api/desk/outbound/attempts",
                               params={"office": "../admin", "day": "2026-12-08"})
    assert [(a["booking_reference"], a["kind"], a["attempt"], a["outcome"])
            for a in found["attempts"]] == [
        (reference, "reminder", 1, "busy"), (reference, "reminder", 2, "kept")]
    assert other_day == {"attempts": []}
    assert bad.status_code == 422
