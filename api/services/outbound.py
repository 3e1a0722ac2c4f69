"""Outbound calls: which notices are owed, which calls to place now, and what became of each.

The job that phones callers (``ivr outbound-calls``) asks :meth:`OutboundService.plan` for the
calls to place and reports each outcome through :meth:`OutboundService.record`; the call flow's
key 9 goes to :meth:`OutboundService.opt_out`; the desk and administrators read
:meth:`OutboundService.attempts`.

``plan`` runs in one transaction under an advisory lock (two jobs never plan at once):

1. attempts without an outcome for ``call_timeout_minutes`` are recorded as ``failed``;
2. inside the calling window only (``api.outbound_rules.why_no_call``): today's reminders are
   created (bookings of the next working day), and a closure notice for every booking a
   closure cancelled (``bookings.cancelled_by_closure_id``, migration 0004) whose visit was
   still to come; the pending notices that may no longer be called are dropped (opted-out
   number, a reminded booking no longer confirmed, a visit started);
3. as many due notices as the concurrency limit leaves free get an attempt each.

"One call per booking per event" is the unique key of ``outbound_notices`` (a second run of
the job creates nothing); a notice has at most ``max_attempts`` attempts.

Errors: ``AttemptNotFound``, ``AttemptFinished`` (another outcome already recorded),
``InvalidRequest`` (a reference on an outcome other than ``rebooked``), ``DatabaseUnavailable``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Date, Integer, bindparam, text

from api.errors import AttemptFinished, AttemptNotFound, InvalidRequest
from api.models import TIMESTAMPTZ, NoticeKind, NoticeStatus
from api.outbound_rules import (
    NoCallReason,
    Outcome,
    after_attempt,
    reminder_visit_day,
    why_no_call,
)
from api.services.context import ServiceContext
from api.statements import Runner

PLANNER_LOCK = 1_515_015  # pg_advisory_xact_lock key of the planner (issue 15)


def _moments(*names: str) -> list[BindParameter[Any]]:
    return [bindparam(name, type_=TIMESTAMPTZ) for name in names]


LOCK_PLANNER = text("SELECT pg_advisory_xact_lock(:key)").bindparams(
    bindparam("key", type_=Integer)
)
STALE_ATTEMPTS = text(
    "SELECT id FROM outbound_attempts WHERE outcome IS NULL AND started_at < :stale_before"
    " ORDER BY id"
).bindparams(*_moments("stale_before"))
CREATE_REMINDERS = text(
    "INSERT INTO outbound_notices (booking_id, kind, event, status, attempts, next_attempt_at,"
    " created_at)"
    " SELECT b.id, :kind, 'visit ' || to_char(b.local_date, 'YYYY-MM-DD'), :pending, 0, :now,"
    " :now FROM bookings b"
    " WHERE b.status = 'confirmed' AND b.local_date = :visit_day AND b.starts_at > :now"
    " AND b.caller_number <> ''"
    " AND NOT EXISTS (SELECT 1 FROM outbound_opt_outs o WHERE o.caller_number = b.caller_number)"
    " ON CONFLICT ON CONSTRAINT uq_outbound_notice_event DO NOTHING"
).bindparams(*_moments("now"), bindparam("visit_day", type_=Date))
CREATE_CLOSURE_NOTICES = text(
    "INSERT INTO outbound_notices (booking_id, kind, event, status, attempts, next_attempt_at,"
    " created_at)"
    " SELECT b.id, :kind, 'closure ' || b.cancelled_by_closure_id, :pending, 0, :now, :now"
    " FROM bookings b"
    " WHERE b.cancelled_by_closure_id IS NOT NULL AND b.status = 'cancelled'"
    " AND b.starts_at > :now AND b.caller_number <> ''"
    " AND NOT EXISTS (SELECT 1 FROM outbound_opt_outs o WHERE o.caller_number = b.caller_number)"
    " ON CONFLICT ON CONSTRAINT uq_outbound_notice_event DO NOTHING"
).bindparams(*_moments("now"))
DROP_UNCALLABLE = text(
    "UPDATE outbound_notices n SET status = :dropped FROM bookings b"
    " WHERE n.booking_id = b.id AND n.status = :pending AND ("
    " EXISTS (SELECT 1 FROM outbound_opt_outs o WHERE o.caller_number = b.caller_number)"
    " OR b.caller_number = '' OR b.starts_at <= :now"
    " OR (n.kind = :reminder AND b.status <> 'confirmed'))"
).bindparams(*_moments("now"))
CALLS_IN_PROGRESS = text("SELECT count(*) FROM outbound_attempts WHERE outcome IS NULL")
DUE_NOTICES = text(
    "SELECT n.id, n.kind, n.attempts, b.reference, b.caller_number, b.language"
    " FROM outbound_notices n JOIN bookings b ON b.id = n.booking_id"
    " WHERE n.status = :pending AND n.next_attempt_at <= :now"
    " ORDER BY n.next_attempt_at, n.id LIMIT :free FOR UPDATE OF n SKIP LOCKED"
).bindparams(*_moments("now"), bindparam("free", type_=Integer))
START_ATTEMPT = text(
    "INSERT INTO outbound_attempts (notice_id, attempt, started_at)"
    " VALUES (:notice_id, :attempt, :now) RETURNING id"
).bindparams(*_moments("now"))
MARK_CALLING = text(
    "UPDATE outbound_notices SET status = :calling, attempts = :attempt WHERE id = :notice_id"
)
ATTEMPT_FOR_UPDATE = text(
    "SELECT a.id, a.notice_id, a.outcome, a.new_booking_reference, n.attempts,"
    " b.caller_number FROM outbound_attempts a"
    " JOIN outbound_notices n ON n.id = a.notice_id JOIN bookings b ON b.id = n.booking_id"
    " WHERE a.id = :attempt_id FOR UPDATE OF a, n"
)
FINISH_ATTEMPT = text(
    "UPDATE outbound_attempts SET outcome = :outcome, ended_at = :now,"
    " new_booking_reference = :reference WHERE id = :attempt_id"
).bindparams(*_moments("now"))
SET_NOTICE = text(
    "UPDATE outbound_notices SET status = :status, next_attempt_at = coalesce(:retry_at,"
    " next_attempt_at) WHERE id = :notice_id"
).bindparams(*_moments("retry_at"))
OPT_OUT = text(
    "INSERT INTO outbound_opt_outs (caller_number, created_at) VALUES (:number, :now)"
    " ON CONFLICT (caller_number) DO NOTHING"
).bindparams(*_moments("now"))
DROP_NUMBER = text(
    "UPDATE outbound_notices n SET status = :dropped FROM bookings b"
    " WHERE n.booking_id = b.id AND n.status = :pending AND b.caller_number = :number"
)
IS_OPTED_OUT = text("SELECT count(*) FROM outbound_opt_outs WHERE caller_number = :number")
ATTEMPTS_OF_DAY = text(
    "SELECT b.reference AS booking_reference, n.kind, a.attempt, a.started_at, a.outcome,"
    " a.new_booking_reference FROM outbound_attempts a"
    " JOIN outbound_notices n ON n.id = a.notice_id JOIN bookings b ON b.id = n.booking_id"
    " WHERE b.office_code = :office AND b.local_date = :day ORDER BY a.started_at, a.id"
).bindparams(bindparam("day", type_=Date))


@dataclass(frozen=True)
class PlannedCall:
    """One call the job is to place now."""

    attempt_id: int
    attempt: int
    kind: NoticeKind
    booking_reference: str
    caller_number: str
    language: str


@dataclass(frozen=True)
class Plan:
    calls: list[PlannedCall]
    no_call_reason: NoCallReason | None  # why nothing may be placed now
    reminders_created: int
    closure_notices_created: int
    in_progress: int  # calls in progress before these (for the concurrency limit)


@dataclass(frozen=True)
class AttemptRecord:
    booking_reference: str
    kind: str
    attempt: int
    started_at: dt.datetime
    outcome: str | None
    new_booking_reference: str | None


class OutboundService:
    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    async def plan(self) -> Plan:
        """The calls to place now, each with its attempt already recorded (outcome pending)."""
        settings = self._context.settings.outbound
        now = self._context.clock.now()
        async with self._context.database.transaction() as runner:
            await runner.scalar(LOCK_PLANNER, {"key": PLANNER_LOCK})
            stale_before = now - dt.timedelta(minutes=settings.call_timeout_minutes)
            for row in await runner.all(STALE_ATTEMPTS, {"stale_before": stale_before}):
                await self._finish(runner, attempt_id=row.id, outcome=Outcome.failed,
                                   reference=None, now=now)
            in_progress: int = await runner.scalar(CALLS_IN_PROGRESS)
            reason = why_no_call(now, self._context.zone)
            if reason is not None:
                return Plan(calls=[], no_call_reason=reason, reminders_created=0,
                            closure_notices_created=0, in_progress=in_progress)
            created = await self._create_reminders(runner, now=now)
            notices = await runner.rowcount(CREATE_CLOSURE_NOTICES, {
                "kind": NoticeKind.closure_notice.value, "pending": NoticeStatus.pending.value,
                "now": now,
            })
            await runner.rowcount(DROP_UNCALLABLE, {
                "now": now, "dropped": NoticeStatus.dropped.value,
                "pending": NoticeStatus.pending.value, "reminder": NoticeKind.reminder.value,
            })
            free = max(settings.max_concurrent_calls - in_progress, 0)
            calls = await self._start_attempts(runner, now=now, free=free) if free else []
        return Plan(calls=calls, no_call_reason=None, reminders_created=created,
                    closure_notices_created=notices, in_progress=in_progress)

    async def _create_reminders(self, runner: Runner, *, now: dt.datetime) -> int:
        visit_day = reminder_visit_day(now.astimezone(self._context.zone).date())
        if visit_day is None:
            return 0
        return await runner.rowcount(CREATE_REMINDERS, {
            "kind": NoticeKind.reminder.value, "pending": NoticeStatus.pending.value,
            "now": now, "visit_day": visit_day,
        })

    async def _start_attempts(
        self, runner: Runner, *, now: dt.datetime, free: int
    ) -> list[PlannedCall]:
        due = await runner.all(
            DUE_NOTICES, {"pending": NoticeStatus.pending.value, "now": now, "free": free}
        )
        calls = []
        numbers: set[str] = set()
        for notice in due:
            if notice.caller_number in numbers:  # one call at a time to a number
                continue
            numbers.add(notice.caller_number)
            attempt = notice.attempts + 1
            attempt_id: int = await runner.scalar(
                START_ATTEMPT, {"notice_id": notice.id, "attempt": attempt, "now": now}
            )
            await runner.rowcount(MARK_CALLING, {
                "calling": NoticeStatus.calling.value, "attempt": attempt,
                "notice_id": notice.id,
            })
            calls.append(PlannedCall(
                attempt_id=attempt_id, attempt=attempt, kind=NoticeKind(notice.kind),
                booking_reference=notice.reference, caller_number=notice.caller_number,
                language=notice.language,
            ))
        return calls

    async def record(
        self, *, attempt_id: int, outcome: Outcome, new_booking_reference: str | None = None
    ) -> None:
        """The outcome of an attempt; the same outcome twice is accepted (a retried report)."""
        if new_booking_reference is not None and outcome is not Outcome.rebooked:
            raise InvalidRequest("only a rebooked outcome carries a new booking reference",
                                 outcome=outcome.value)
        now = self._context.clock.now()
        async with self._context.database.transaction() as runner:
            await self._finish(runner, attempt_id=attempt_id, outcome=outcome,
                               reference=new_booking_reference, now=now)

    async def _finish(self, runner: Runner, *, attempt_id: int, outcome: Outcome,
                      reference: str | None, now: dt.datetime) -> None:
        row = await runner.one_or_none(ATTEMPT_FOR_UPDATE, {"attempt_id": attempt_id})
        if row is None:
            raise AttemptNotFound("no such outbound call attempt", attempt_id=attempt_id)
        if row.outcome is not None:
            if row.outcome == outcome.value and row.new_booking_reference == reference:
                return
            raise AttemptFinished("this attempt has an outcome already",
                                  attempt_id=attempt_id, outcome=row.outcome)
        await runner.rowcount(FINISH_ATTEMPT, {
            "outcome": outcome.value, "now": now, "reference": reference,
            "attempt_id": attempt_id,
        })
        settings = self._context.settings.outbound
        after = after_attempt(
            outcome=outcome, attempts_made=row.attempts, max_attempts=settings.max_attempts,
            now=now, retry_delay=dt.timedelta(minutes=settings.retry_delay_minutes),
            retry_hours=settings.retry_hours, zone=self._context.zone,
        )
        if after.reached:
            status = NoticeStatus.done
        elif after.retry_at is None:
            status = NoticeStatus.not_reached
        else:
            status = NoticeStatus.pending
        await runner.rowcount(SET_NOTICE, {
            "status": status.value, "retry_at": after.retry_at, "notice_id": row.notice_id,
        })
        if outcome is Outcome.opted_out:
            await self._opt_out(runner, number=row.caller_number, now=now)

    async def opt_out(self, *, caller_number: str) -> None:
        """The number is never called again (key 9 of a notice)."""
        now = self._context.clock.now()
        async with self._context.database.transaction() as runner:
            await self._opt_out(runner, number=caller_number, now=now)

    async def _opt_out(self, runner: Runner, *, number: str, now: dt.datetime) -> None:
        await runner.rowcount(OPT_OUT, {"number": number, "now": now})
        await runner.rowcount(DROP_NUMBER, {
            "dropped": NoticeStatus.dropped.value, "pending": NoticeStatus.pending.value,
            "number": number,
        })

    async def is_opted_out(self, *, caller_number: str) -> bool:
        async with self._context.database.autocommit() as runner:
            count: int = await runner.scalar(IS_OPTED_OUT, {"number": caller_number})
        return count > 0

    async def attempts(self, *, office_code: str, day: dt.date) -> list[AttemptRecord]:
        """Every attempt for the bookings of an office's day, in the order they were placed."""
        async with self._context.database.autocommit() as runner:
            rows = await runner.all(ATTEMPTS_OF_DAY, {"office": office_code, "day": day})
        return [AttemptRecord(**row._asdict()) for row in rows]
