"""The seat arithmetic, ``slot_service_free_seats`` (migration 0003), on its own.

A channel first uses its own quota. Inside the borrow window before the slot it may also use
the other channels' unused seats. Either way the slot's total is never exceeded:
``free(c) = total_free`` inside the window, ``min(own_free(c), total_free)`` outside it, never
below zero. Availability and the hold function both call it (their tests: test_refusals.py,
the stateful model test).
"""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi import FastAPI
from sqlalchemy import Integer, bindparam, text

from api.models import TIMESTAMPTZ

STARTS = dt.datetime(2027, 1, 11, 8, tzinfo=dt.UTC)
WINDOW = dt.timedelta(hours=48)
FAR = STARTS - dt.timedelta(days=5)
NEAR = STARTS - dt.timedelta(hours=5)
SEATS = {"phone": 2, "operator": 1, "counter": 1}
FREE = text(
    "SELECT slot_service_free_seats(ROW(1, 'o', 'v', DATE '2027-01-11', :starts, :starts,"
    " 2, 1, 1, :booked_phone, :booked_operator, :booked_counter, false, 0)::slots, :channel,"
    " :live_phone, :live_operator, :live_counter, :borrow_until)"
).bindparams(
    bindparam("starts", type_=TIMESTAMPTZ),
    bindparam("borrow_until", type_=TIMESTAMPTZ),
    *(
        bindparam(f"{kind}_{channel}", type_=Integer())
        for kind in ("booked", "live")
        for channel in SEATS
    ),
)


async def free(
    app: FastAPI,
    channel: str,
    *,
    now: dt.datetime,
    booked: dict[str, int] | None = None,
    live: dict[str, int] | None = None,
) -> int:
    parameters: dict[str, object] = {
        "starts": STARTS,
        "channel": channel,
        "borrow_until": now + WINDOW,
        **{f"booked_{c}": (booked or {}).get(c, 0) for c in SEATS},
        **{f"live_{c}": (live or {}).get(c, 0) for c in SEATS},
    }
    async with app.state.services.context.database.autocommit() as runner:
        value: int = await runner.scalar(FREE, parameters)
    return value


async def test_outside_the_window_each_channel_has_its_quota(app: FastAPI) -> None:
    assert await free(app, "phone", now=FAR) == 2
    assert await free(app, "phone", now=FAR, booked={"phone": 1}, live={"phone": 1}) == 0
    assert await free(app, "operator", now=FAR, booked={"phone": 2}) == 1
    assert await free(app, "counter", now=FAR, live={"operator": 1}) == 1


async def test_inside_the_window_channels_borrow_unused_seats(app: FastAPI) -> None:
    assert await free(app, "phone", now=NEAR, booked={"phone": 2}) == 2
    assert await free(app, "phone", now=NEAR, booked={"phone": 3}, live={"operator": 1}) == 0


async def test_the_window_starts_exactly_at_its_length_before_the_slot(app: FastAPI) -> None:
    booked = {"phone": 2}
    assert await free(app, "phone", now=STARTS - WINDOW - dt.timedelta(seconds=1),
                      booked=booked) == 0
    assert await free(app, "phone", now=STARTS - WINDOW, booked=booked) == 2


@pytest.mark.parametrize("channel", ["operator", "counter"])
async def test_borrowed_seats_are_not_free_for_their_owner_later(
    app: FastAPI, channel: str
) -> None:
    # the phone borrowed the operator's and the counter's seats inside the window
    assert await free(app, channel, now=FAR, booked={"phone": 4}) == 0
    assert await free(app, channel, now=NEAR, booked={"phone": 4}) == 0


async def test_never_below_zero_nor_for_an_unknown_channel(app: FastAPI) -> None:
    assert await free(app, "phone", now=FAR, booked={"phone": 3}) == 0
    assert await free(app, "phone", now=NEAR, booked={"phone": 4}, live={"counter": 1}) == 0
    assert await free(app, "fax", now=FAR) == 0
