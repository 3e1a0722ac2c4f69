"""The AGI route ``operator-hours``: tells the dialplan whether today is a Czech public holiday.

The dialplan's operator hours (``IVR_OPERATOR_HOURS``, ``GotoIfTime``/``IFTIME``) know times,
weekdays and dates, but not Easter Monday or Good Friday, which move every year. The slot
service already has the one holiday calendar of the project (:func:`api.calendar.is_working_day`,
the ``holidays`` package), so the dialplan asks this route at the start of every call and
branches on ``IVR_PUBLIC_HOLIDAY`` (``yes``/``no``) instead of keeping a second list of
holidays in Asterisk configuration. Only holidays are decided here: weekdays and hours stay the
dialplan's (so an operator can still change them with a global variable).

The clock is passed in, so that a test can serve the route for 24 December or 1 May through
the real transport and the real dialplan.

Errors: none of its own; the channel's ``AgiError`` reaches the transport (the dialplan then
goes on with ``IVR_PUBLIC_HOLIDAY=no``, which it sets before asking).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from api.calendar import czech_holidays
from ivr.agi.channel import AgiChannel, AgiHandler
from ivr.agi.metrics import AgiMetrics

IVR_PUBLIC_HOLIDAY: Final = "IVR_PUBLIC_HOLIDAY"
OFFICE_ZONE: Final = ZoneInfo("Europe/Prague")


def utc_now() -> datetime:
    return datetime.now(UTC)


def is_public_holiday(day: date) -> bool:
    """A Czech public holiday (the slot service's calendar, :mod:`api.calendar`)."""
    return day in czech_holidays(day.year)


class OperatorHoursRoute:
    """Sets ``IVR_PUBLIC_HOLIDAY`` for the call's local day (Europe/Prague)."""

    def __init__(self, *, clock: Callable[[], datetime] = utc_now,
                 zone: ZoneInfo = OFFICE_ZONE) -> None:
        self._clock = clock
        self._zone = zone

    def today(self) -> date:
        return self._clock().astimezone(self._zone).date()

    async def __call__(self, channel: AgiChannel) -> None:
        holiday = is_public_holiday(self.today())
        await channel.set_variable(IVR_PUBLIC_HOLIDAY, "yes" if holiday else "no")


def create_operator_hours_handler(*, metrics: AgiMetrics) -> AgiHandler:
    """The route's factory for ``ivr.agi.routing`` (it needs no settings)."""
    return OperatorHoursRoute()
