from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from api.calendar import SeatRange, is_working_day, slots_of_day

PRAGUE = ZoneInfo("Europe/Prague")
MORNING = [SeatRange(dt.time(8), dt.time(9), 2, 1, 1)]


def test_weekends_and_czech_public_holidays_are_not_working_days() -> None:
    assert is_working_day(dt.date(2026, 12, 7))  # Monday
    assert not is_working_day(dt.date(2026, 12, 5))  # Saturday
    assert not is_working_day(dt.date(2026, 12, 24))  # Christmas Eve
    assert not is_working_day(dt.date(2027, 3, 26))  # Good Friday 2027, moves with Easter
    assert not is_working_day(dt.date(2027, 3, 29))  # Easter Monday 2027
    assert not is_working_day(dt.date(2027, 9, 28))  # St Wenceslas
    assert not is_working_day(dt.date(2027, 11, 17))


def test_slots_are_back_to_back_and_converted_to_utc() -> None:
    slots = list(
        slots_of_day(
            day=dt.date(2026, 12, 7),
            ranges=MORNING,
            duration_minutes=20,
            opening=(dt.time(8), dt.time(17)),
            zone=PRAGUE,
        )
    )
    assert [s.starts_at.strftime("%H:%M") for s in slots] == ["07:00", "07:20", "07:40"]
    assert all(s.ends_at - s.starts_at == dt.timedelta(minutes=20) for s in slots)
    assert slots[0].seats_phone == 2


def test_summer_time_shifts_the_utc_hour() -> None:
    july = next(
        slots_of_day(
            day=dt.date(2027, 7, 5),
            ranges=MORNING,
            duration_minutes=30,
            opening=(dt.time(8), dt.time(17)),
            zone=PRAGUE,
        )
    )
    assert july.starts_at.hour == 6


def test_ranges_are_clipped_to_opening_hours_and_closed_days_have_none() -> None:
    clipped = list(
        slots_of_day(
            day=dt.date(2026, 12, 11),
            ranges=[SeatRange(dt.time(8), dt.time(14), 1, 0, 0)],
            duration_minutes=30,
            opening=(dt.time(8), dt.time(12)),
            zone=PRAGUE,
        )
    )
    assert len(clipped) == 8
    assert clipped[-1].ends_at.astimezone(PRAGUE).time() == dt.time(12)
    closed = slots_of_day(
        day=dt.date(2026, 12, 11), ranges=MORNING, duration_minutes=30, opening=None, zone=PRAGUE
    )
    assert list(closed) == []
