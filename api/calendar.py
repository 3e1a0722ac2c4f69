"""Which local times get a slot: the pure calendar rules, no database.

A day gets slots when it is a weekday, not a Czech public holiday (the ``holidays`` package,
so Easter Monday and Good Friday follow the year) and not closed for the office. Within a day,
each capacity range yields back-to-back slots of the visit type's duration, starting on the
5-minute grid and clipped to the office's opening hours. Local times are Europe/Prague and are
converted to UTC with ``zoneinfo``, so daylight-saving days come out right.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

GRID_MINUTES = 5
WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_hhmm(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def on_grid(value: dt.time) -> bool:
    return value.minute % GRID_MINUTES == 0 and value.second == 0


@lru_cache(maxsize=64)
def czech_holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("CZ", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in czech_holidays(day.year)


@dataclass(frozen=True)
class SeatRange:
    """One capacity template row: a local time range with seats per channel."""

    start: dt.time
    end: dt.time
    seats_phone: int
    seats_operator: int
    seats_counter: int


@dataclass(frozen=True)
class PlannedSlot:
    local_date: dt.date
    starts_at: dt.datetime  # aware UTC
    ends_at: dt.datetime
    seats_phone: int
    seats_operator: int
    seats_counter: int


def slots_of_day(
    *,
    day: dt.date,
    ranges: list[SeatRange],
    duration_minutes: int,
    opening: tuple[dt.time, dt.time] | None,
    zone: ZoneInfo,
) -> Iterator[PlannedSlot]:
    """The slots of one office and visit type on one (working, open) day."""
    if opening is None or duration_minutes % GRID_MINUTES:
        return
    open_at, close_at = opening
    step = dt.timedelta(minutes=duration_minutes)
    for seat_range in ranges:
        start = dt.datetime.combine(day, max(seat_range.start, open_at))
        end = dt.datetime.combine(day, min(seat_range.end, close_at))
        while start.minute % GRID_MINUTES:
            start += dt.timedelta(minutes=1)
        while start + step <= end:
            local = start.replace(tzinfo=zone)
            yield PlannedSlot(
                local_date=day,
                starts_at=local.astimezone(dt.UTC),
                ends_at=(local + step).astimezone(dt.UTC),
                seats_phone=seat_range.seats_phone,
                seats_operator=seat_range.seats_operator,
                seats_counter=seat_range.seats_counter,
            )
            start += step


def opening_of(opening_hours: dict[str, list[str]], day: dt.date) -> tuple[dt.time, dt.time] | None:
    hours = opening_hours.get(WEEKDAY_KEYS[day.weekday()])
    if not hours:
        return None
    return parse_hhmm(hours[0]), parse_hhmm(hours[1])
