"""The route operator-hours of the project on a fixed working day, for the `ivr serve` of the
end-to-end tests (``IVR_AGI_ROUTES``): the flow's tests then run the same on a holiday."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.agi.channel import AgiHandler
from ivr.agi.metrics import AgiMetrics
from ivr.operator_hours import OperatorHoursRoute

WEDNESDAY_TEN = datetime(2026, 12, 23, 10, 0, tzinfo=ZoneInfo("Europe/Prague"))


def create_route(*, metrics: AgiMetrics) -> AgiHandler:
    return OperatorHoursRoute(clock=lambda: WEDNESDAY_TEN)
