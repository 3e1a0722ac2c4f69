"""The route operator-hours: IVR_PUBLIC_HOLIDAY from the slot service's holiday calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from api.calendar import is_working_day
from ivr.operator_hours import IVR_PUBLIC_HOLIDAY, OperatorHoursRoute, is_public_holiday


class VariableChannel:
    """Only what the route uses of an AgiChannel: set_variable."""

    def __init__(self) -> None:
        self.variables: dict[str, str] = {}

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value


@pytest.mark.parametrize(("moment", "expected"), [
    (datetime(2026, 12, 24, 9, 0, tzinfo=UTC), "yes"),
    (datetime(2026, 5, 1, 7, 0, tzinfo=UTC), "yes"),
    (datetime(2026, 4, 6, 8, 0, tzinfo=UTC), "yes"),  # Easter Monday 2026
    (datetime(2026, 12, 23, 9, 0, tzinfo=UTC), "no"),
    # 23:30 UTC on 30 April is already 1 May in Prague (CEST, UTC+2)
    (datetime(2026, 4, 30, 22, 30, tzinfo=UTC), "yes"),
    (datetime(2026, 4, 30, 21, 30, tzinfo=UTC), "no"),
])
async def test_the_route_sets_the_holiday_of_the_local_day(moment: datetime,
                                                         expected: str) -> None:
    channel = VariableChannel()
    await OperatorHoursRoute(clock=lambda: moment)(channel)  # type: ignore[arg-type]
    assert channel.variables == {IVR_PUBLIC_HOLIDAY: expected}


def test_one_calendar_with_the_slot_service() -> None:
    """Every weekday of a year is a holiday here exactly when the slot service gives it no
    slots."""
    day = date(2027, 1, 1)
    while day.year == 2027:
        if day.weekday() < 5:
            assert is_public_holiday(day) == (not is_working_day(day)), day
        day = date.fromordinal(day.toordinal() + 1)
