"""The pure rules of outbound calls: the calling window, the reminder day, retries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from api.outbound_rules import (
    NoCallReason,
    OperatorHours,
    Outcome,
    after_attempt,
    next_working_day,
    reminder_visit_day,
    why_no_call,
)
from api.settings import OutboundSettings

PRAGUE = ZoneInfo("Europe/Prague")


@pytest.mark.parametrize(("local", "reason"), [
    (dt.datetime(2026, 12, 8, 7, 59), NoCallReason.outside_hours),
    (dt.datetime(2026, 12, 8, 8, 0), None),
    (dt.datetime(2026, 12, 8, 19, 59), None),
    (dt.datetime(2026, 12, 8, 20, 0), NoCallReason.outside_hours),
    (dt.datetime(2026, 12, 12, 10, 0), None),  # a Saturday is no holiday
    (dt.datetime(2026, 12, 24, 10, 0), NoCallReason.public_holiday),
    (dt.datetime(2026, 5, 1, 10, 0), NoCallReason.public_holiday),
    (dt.datetime(2027, 3, 29, 10, 0), NoCallReason.public_holiday),  # Easter Monday 2027
    (dt.datetime(2026, 7, 1, 19, 30), None),  # summer time: 17:30 UTC
])
def test_the_calling_window(local: dt.datetime, reason: NoCallReason | None) -> None:
    moment = local.replace(tzinfo=PRAGUE).astimezone(dt.UTC)
    assert why_no_call(moment, PRAGUE) is reason


@pytest.mark.parametrize(("today", "visit_day"), [
    (dt.date(2026, 12, 7), dt.date(2026, 12, 8)),  # Monday: Tuesday's visits
    (dt.date(2026, 12, 11), dt.date(2026, 12, 14)),  # Friday: Monday's
    (dt.date(2026, 12, 12), None),  # Saturday: none
    (dt.date(2026, 12, 23), dt.date(2026, 12, 28)),  # 24-26 December are holidays
    (dt.date(2026, 12, 24), None),  # a holiday
    (dt.date(2027, 4, 30), dt.date(2027, 5, 3)),  # Friday before 1 May (a Saturday)
])
def test_the_reminder_day_is_the_working_day_before_the_visit(
    today: dt.date, visit_day: dt.date | None
) -> None:
    assert reminder_visit_day(today) == visit_day


def test_next_working_day_skips_weekends_and_holidays() -> None:
    assert next_working_day(dt.date(2026, 12, 31)) == dt.date(2027, 1, 4)


NOW = dt.datetime(2026, 12, 8, 9, 0, tzinfo=dt.UTC)
DELAY = dt.timedelta(minutes=30)
HOURS = OperatorHours(opens=dt.time(8, 0), closes=dt.time(17, 0))


@pytest.mark.parametrize("outcome", [o for o in Outcome if o not in {
    Outcome.busy, Outcome.no_answer, Outcome.answering_machine, Outcome.failed}])
def test_an_answered_call_is_done(outcome: Outcome) -> None:
    after = after_attempt(outcome=outcome, attempts_made=1, max_attempts=3, now=NOW,
                          retry_delay=DELAY, retry_hours=HOURS, zone=PRAGUE)
    assert (after.reached, after.retry_at) == (True, None)


@pytest.mark.parametrize(("made", "retry_at"), [(1, NOW + DELAY), (2, NOW + DELAY), (3, None)])
def test_an_unreached_caller_is_tried_at_most_three_times(
    made: int, retry_at: dt.datetime | None
) -> None:
    after = after_attempt(outcome=Outcome.busy, attempts_made=made, max_attempts=3, now=NOW,
                          retry_delay=DELAY, retry_hours=HOURS, zone=PRAGUE)
    assert (after.reached, after.retry_at) == (False, retry_at)


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PRAGUE).astimezone(dt.UTC)


@pytest.mark.parametrize(("due", "retried"), [
    (at(2026, 12, 8, 16, 59), at(2026, 12, 8, 16, 59)),  # Tuesday, operators still answer
    (at(2026, 12, 8, 17, 0), at(2026, 12, 9, 8, 0)),  # closed: the next morning
    (at(2026, 12, 8, 7, 30), at(2026, 12, 8, 8, 0)),  # before opening: the same day's
    (at(2026, 12, 11, 17, 20), at(2026, 12, 14, 8, 0)),  # Friday evening: Monday
    (at(2026, 12, 23, 18, 0), at(2026, 12, 28, 8, 0)),  # 24-26 December are holidays
    (at(2026, 12, 24, 9, 0), at(2026, 12, 28, 8, 0)),  # on a holiday
])
def test_a_retry_waits_for_operator_hours(due: dt.datetime, retried: dt.datetime) -> None:
    assert HOURS.earliest_from(due, PRAGUE) == retried
    after = after_attempt(outcome=Outcome.no_answer, attempts_made=1, max_attempts=3,
                          now=due - DELAY, retry_delay=DELAY, retry_hours=HOURS, zone=PRAGUE)
    assert after.retry_at == retried


def test_the_retry_hours_are_the_dialplans_operator_hours() -> None:
    """Two places say when operators answer: the dialplan (what a caller who presses 0 gets)
    and the slot service (when a retry is placed). They must say the same."""
    conf = (Path(__file__).parents[2] / "dialplans" / "extensions.conf").read_text()
    [line] = [entry for entry in conf.splitlines() if entry.startswith("IVR_OPERATOR_HOURS=")]
    times, weekdays, days, months, zone = line.partition("=")[2].split(",")
    opens, _, closes = times.partition("-")
    settings = OutboundSettings()
    assert (weekdays, days, months, zone) == ("mon-fri", "*", "*", "Europe/Prague")
    assert (settings.operator_hours_opens, settings.operator_hours_closes) == (
        dt.time.fromisoformat(opens), dt.time.fromisoformat(closes))


@pytest.mark.parametrize(("opens", "closes"), [("07:00", "17:00"), ("09:00", "21:00"),
                                               ("12:00", "12:00")])
def test_retry_hours_outside_the_calling_window_are_refused(opens: str, closes: str) -> None:
    with pytest.raises(ValidationError, match="calling window 08:00-20:00"):
        OutboundSettings(operator_hours_opens=opens, operator_hours_closes=closes)
