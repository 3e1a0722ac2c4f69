"""When the slot service may phone a caller, and what follows an attempt: pure rules, no database.

The limits of outbound calls (issue 15), each decided here once:

- calls only between 08:00 and 20:00 Europe/Prague, and none on a Czech public holiday (the
  calendar of :mod:`api.calendar`, the one the slots and the dialplan's operator hours use);
- a reminder the working day before the visit: on a working day, for the visits of the next
  working day (a Monday visit is reminded on Friday, or on Thursday when Friday is a holiday);
- an attempt that did not reach the caller (busy, no answer, an answering machine, a failed
  call) is retried at most ``max_attempts - 1`` times, each ``retry_delay`` later and within
  operator hours (``OperatorHours``: a caller reached on a retry who presses 0 finds an
  operator); after the last one the notice is "not reached".

The concurrency limit and "one call per booking per event" need the database (the attempts in
progress, the unique notice per event) and live in :mod:`api.services.outbound`.

Nothing here raises.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from api.calendar import czech_holidays, is_working_day

CALLING_FROM: Final = dt.time(8, 0)
CALLING_UNTIL: Final = dt.time(20, 0)


class Outcome(StrEnum):
    """What became of one attempt; the first six reached the caller."""

    kept = "kept"
    cancelled = "cancelled"
    rebooked = "rebooked"
    opted_out = "opted-out"
    operator = "operator"  # the caller asked for an operator (0) or the flow handed over
    hung_up = "hung-up"  # answered, then hung up before choosing
    busy = "busy"
    no_answer = "no-answer"
    answering_machine = "answering-machine"
    failed = "failed"  # the call could not be placed (trunk down, congestion) or was lost


NOT_REACHED: Final = frozenset(
    {Outcome.busy, Outcome.no_answer, Outcome.answering_machine, Outcome.failed}
)


class NoCallReason(StrEnum):
    outside_hours = "outside-hours"
    public_holiday = "public-holiday"


def why_no_call(now: dt.datetime, zone: ZoneInfo) -> NoCallReason | None:
    """Why no call may be placed at ``now`` (aware), or None when calls are allowed."""
    local = now.astimezone(zone)
    if local.date() in czech_holidays(local.year):
        return NoCallReason.public_holiday
    if not CALLING_FROM <= local.time() < CALLING_UNTIL:
        return NoCallReason.outside_hours
    return None


def next_working_day(day: dt.date) -> dt.date:
    following = day + dt.timedelta(days=1)
    while not is_working_day(following):
        following += dt.timedelta(days=1)
    return following


def reminder_visit_day(today: dt.date) -> dt.date | None:
    """The visit day whose bookings are reminded today: the next working day, when today is a
    working day (otherwise the reminders were made on the working day before)."""
    return next_working_day(today) if is_working_day(today) else None


@dataclass(frozen=True)
class OperatorHours:
    """When operators answer: working days (no weekend, no Czech public holiday) from ``opens``
    until ``closes``, local time; the dialplan's ``IVR_OPERATOR_HOURS`` says the same (a test
    keeps the two equal)."""

    opens: dt.time
    closes: dt.time

    def earliest_from(self, moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
        """``moment`` (aware) if operators answer then, else the next opening."""
        local = moment.astimezone(zone)
        day = local.date()
        if is_working_day(day) and self.opens <= local.time() < self.closes:
            return moment
        if not (is_working_day(day) and local.time() < self.opens):
            day = next_working_day(day)
        return dt.datetime.combine(day, self.opens, tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class AfterAttempt:
    """What the notice becomes after an attempt: done, tried again at ``retry_at``, or given up
    as not reached."""

    reached: bool
    retry_at: dt.datetime | None


def after_attempt(
    *, outcome: Outcome, attempts_made: int, max_attempts: int, now: dt.datetime,
    retry_delay: dt.timedelta, retry_hours: OperatorHours, zone: ZoneInfo,
) -> AfterAttempt:
    if outcome not in NOT_REACHED:
        return AfterAttempt(reached=True, retry_at=None)
    if attempts_made >= max_attempts:
        return AfterAttempt(reached=False, retry_at=None)
    return AfterAttempt(reached=False, retry_at=retry_hours.earliest_from(now + retry_delay, zone))
