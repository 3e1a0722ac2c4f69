from __future__ import annotations

import datetime as dt

from api.models import Slot
from api.services.seats import free_seats
from api.settings import Channel

STARTS = dt.datetime(2027, 1, 11, 8, tzinfo=dt.UTC)
WINDOW = dt.timedelta(hours=48)
FAR = STARTS - dt.timedelta(days=5)
NEAR = STARTS - dt.timedelta(hours=5)


def slot(**booked: int) -> Slot:
    return Slot(
        starts_at=STARTS,
        seats_phone=2,
        seats_operator=1,
        seats_counter=1,
        booked_phone=booked.get("phone", 0),
        booked_operator=booked.get("operator", 0),
        booked_counter=booked.get("counter", 0),
    )


def test_outside_the_window_each_channel_has_its_quota() -> None:
    assert (
        free_seats(slot=slot(), channel=Channel.phone, live_holds={}, now=FAR, borrow_window=WINDOW)
        == 2
    )
    assert (
        free_seats(
            slot=slot(phone=1),
            channel=Channel.phone,
            live_holds={"phone": 1},
            now=FAR,
            borrow_window=WINDOW,
        )
        == 0
    )
    assert (
        free_seats(
            slot=slot(phone=2),
            channel=Channel.operator,
            live_holds={},
            now=FAR,
            borrow_window=WINDOW,
        )
        == 1
    )


def test_inside_the_window_channels_borrow_unused_seats() -> None:
    assert (
        free_seats(
            slot=slot(phone=2), channel=Channel.phone, live_holds={}, now=NEAR, borrow_window=WINDOW
        )
        == 2
    )
    assert (
        free_seats(
            slot=slot(phone=3),
            channel=Channel.phone,
            live_holds={"operator": 1},
            now=NEAR,
            borrow_window=WINDOW,
        )
        == 0
    )


def test_borrowed_seats_are_not_free_for_their_owner_later() -> None:
    # the phone borrowed the operator's and the counter's seats inside the window
    full = slot(phone=4)
    assert (
        free_seats(
            slot=full, channel=Channel.operator, live_holds={}, now=FAR, borrow_window=WINDOW
        )
        == 0
    )
    assert (
        free_seats(
            slot=full, channel=Channel.counter, live_holds={}, now=NEAR, borrow_window=WINDOW
        )
        == 0
    )
