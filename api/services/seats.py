"""Seat arithmetic of one slot, pure and shared by availability, holds and bookings.

A channel first uses its own quota. Inside the borrow window before the slot it may also use
the other channels' unused seats. Either way the slot's total is never exceeded:
``free(c) = total_free`` inside the window, ``min(own_free(c), total_free)`` outside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Protocol

from api.settings import Channel


class SeatCounts(Protocol):
    """A slot's seats and bookings per channel: an ORM ``Slot`` or a result row of its columns."""

    @property
    def starts_at(self) -> dt.datetime: ...
    @property
    def seats_phone(self) -> int: ...
    @property
    def seats_operator(self) -> int: ...
    @property
    def seats_counter(self) -> int: ...
    @property
    def booked_phone(self) -> int: ...
    @property
    def booked_operator(self) -> int: ...
    @property
    def booked_counter(self) -> int: ...


def seats_of(slot: SeatCounts, channel: Channel) -> int:
    return int(getattr(slot, f"seats_{channel.value}"))


def booked_of(slot: SeatCounts, channel: Channel) -> int:
    return int(getattr(slot, f"booked_{channel.value}"))


def free_seats(
    *,
    slot: SeatCounts,
    channel: Channel,
    live_holds: Mapping[str, int],
    now: dt.datetime,
    borrow_window: dt.timedelta,
) -> int:
    # written out per column: availability calls this for every candidate slot, and
    # iterating the enum with getattr by name cost more than the query's rows
    total_free = (
        slot.seats_phone
        + slot.seats_operator
        + slot.seats_counter
        - slot.booked_phone
        - slot.booked_operator
        - slot.booked_counter
        - sum(live_holds.values())
    )
    if now >= slot.starts_at - borrow_window:
        return max(total_free, 0)
    name = _NAMES[channel]
    own_free: int = (
        getattr(slot, _SEATS[name]) - getattr(slot, _BOOKED[name]) - live_holds.get(name, 0)
    )
    return max(min(own_free, total_free), 0)


_NAMES = {channel: channel.value for channel in Channel}
_SEATS = {channel.value: f"seats_{channel.value}" for channel in Channel}
_BOOKED = {channel.value: f"booked_{channel.value}" for channel in Channel}
