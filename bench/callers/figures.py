"""Judging each call against its caller's intent, and the figures of the whole population.

A call is judged from what the slot service holds afterwards (``Stack.outcome_of``), from the
``IVR_*`` variables the flow left on the channel, and from what the caller heard:

- **booking callers** are *contained* when exactly one booking exists for their number, at the
  intended office and visit type, proved by the intended identity (passport digits without the
  letters, birth date), for the slot they accepted (weekday, date and time as they heard them),
  and the call did not fall out to an operator. A booking that misses any of these is a
  *wrong booking* (and not contained), with what was wrong;
- **repeat callers** who keep their booking are contained when they heard it (office, day and
  time as booked) and it is still active; those who cancel, when it is cancelled; neither may
  book anything;
- **operator callers** are not self-service; they are counted as served when the flow handed
  them over with ``operator-request``.

Every call that ended with ``IVR_RESULT`` ``fallout`` or ``error`` counts in the fall-out
histogram by ``IVR_FALLOUT_REASON``; one without a reason, or a call that ended with no
``IVR_RESULT`` although the caller did not hang up, counts in ``fallouts_without_reason``.
``why_not_contained`` groups the self-service callers who failed by what happened
(``fallout:<reason>@<the question being asked>``, ``wrong:<what>``, ``hung-up``, …), and
``lost_keys`` counts keys Asterisk dropped, by reason and by the question being asked.

Errors: none.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bench.callers.caller import Goal, Offer
from bench.callers.path1 import CallRecord
from bench.callers.population import behaviours
from bench.callers.stack import CallerOutcome, Stack

ZONE = ZoneInfo("Europe/Prague")
SELF_SERVICE = (Goal.BOOK, Goal.KEEP, Goal.CANCEL)
REPROMPTS = frozenset({"no-input", "invalid-input", "birthdate-invalid", "slot-taken"})


@dataclass(frozen=True)
class Verdict:
    self_service: bool
    contained: bool
    wrong_booking: str | None  # what was wrong, or None
    why: str | None  # why a self-service call was not contained
    seconds_to_booking: float | None
    fallout: str | None  # the fall-out reason ("" when none was set), None: no fall-out
    outcome: str  # a short label compared between the two paths


def _same_slot(offer: Offer | None, starts_at: str) -> bool:
    if offer is None or offer.day is None or offer.at is None:
        return False
    local = datetime.fromisoformat(starts_at).astimezone(ZONE)
    return ((local.month, local.day) == (offer.day.month, offer.day.day)
            and (local.hour, local.minute) == (offer.at.hour, offer.at.minute)
            and (offer.weekday is None or offer.weekday == local.isoweekday()))


def _topic(record: CallRecord) -> str:
    """The last question the caller was asked before the call ended (the transfer and goodbye
    prompts are not questions)."""
    return record.caller.last_question or "before any question"


def judge(record: CallRecord, outcome: CallerOutcome,
          existing: Mapping[str, Any] | None = None) -> Verdict:
    intent, caller = record.intent, record.caller
    result, reason = record.result, record.fallout_reason
    fallout = reason if result in ("fallout", "error") else None
    if result == "" and not record.caller_hung_up:
        fallout = ""
    existing_reference = existing["reference"] if existing else None
    new = [b for b in outcome.bookings if b["reference"] != existing_reference]
    wrong = None
    if intent.goal is Goal.BOOK and new:
        booking = new[0]
        problems = [what for what, bad in (
            ("office", booking["office"] != intent.office),
            ("visit type", booking["visit_type"] != intent.visit_type),
            ("identity", not outcome.identity_ok.get(booking["reference"], False)),
            ("slot not accepted", not _same_slot(caller.accepted_offer, booking["starts_at"])),
            ("more than one booking", len(new) > 1),
        ) if bad]
        wrong = ", ".join(problems) or None
    elif new:
        wrong = "booked although it did not want to"
    self_service = intent.goal in SELF_SERVICE
    if intent.goal is Goal.BOOK:
        reached = bool(new) and wrong is None
    elif intent.goal is Goal.KEEP:
        heard = caller.booking_heard
        reached = (existing is not None and outcome.existing_status == "confirmed"
                   and heard is not None and heard.office == existing["office"]
                   and _same_slot(heard, existing["starts_at"]))
    elif intent.goal is Goal.CANCEL:
        reached = outcome.existing_status == "cancelled"
    else:
        reached = fallout == "operator-request"
    contained = (self_service and reached and fallout is None and wrong is None
                 and record.error is None)
    why = None
    if self_service and not contained:
        if record.error is not None:
            why = "caller-model-error"
        elif wrong:
            why = f"wrong:{wrong}"
        elif fallout is not None:
            why = f"fallout:{fallout or '(none)'}@{_topic(record)}"
        elif record.caller_hung_up:
            why = f"hung-up@{_topic(record)}"
        else:
            why = f"ended:{result or '(none)'}@{_topic(record)}"
    seconds = None
    if intent.goal is Goal.BOOK and contained and caller.booking_confirmed_at is not None:
        seconds = caller.booking_confirmed_at
    label = ("contained" if contained else why) if self_service else (
        "served" if reached else f"not served:{fallout}")
    return Verdict(self_service, contained, wrong, why, seconds, fallout, label or "")


def _rate(verdicts: Iterable[Verdict]) -> float | None:
    chosen = [v for v in verdicts if v.self_service]
    return round(sum(v.contained for v in chosen) / len(chosen), 3) if chosen else None


def _percentile(values: Sequence[float], share: float, *, digits: int = 1) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], digits)


def figures(records: Sequence[CallRecord], verdicts: Sequence[Verdict]) -> dict[str, Any]:
    """The figures issue 12 asks for, and the breakdowns behind them."""
    by_language: dict[str, list[Verdict]] = defaultdict(list)
    by_behaviour: dict[str, list[Verdict]] = defaultdict(list)
    for record, verdict in zip(records, verdicts, strict=True):
        by_language[record.intent.language].append(verdict)
        for kind in behaviours(record.intent):
            by_behaviour[kind].append(verdict)
    fallouts = Counter(v.fallout or "(none)" for v in verdicts if v.fallout is not None)
    seconds = [v.seconds_to_booking for v in verdicts if v.seconds_to_booking is not None]
    lost_reason: Counter[str] = Counter()
    lost_where: Counter[str] = Counter()
    for record in records:
        for key in record.lost_keys:
            lost_reason[key.reason] += 1
        for plan_topic in _lost_key_topics(record):
            lost_where[plan_topic] += 1
    gaps = [gap for record in records for gap in record.gaps_s[1:]]
    operator_callers = [v for r, v in zip(records, verdicts, strict=True)
                        if r.intent.goal is Goal.OPERATOR]
    return {
        "calls": len(records),
        "self_service_calls": sum(v.self_service for v in verdicts),
        "contained": _rate(verdicts),
        "contained_by_language": {k: _rate(v) for k, v in sorted(by_language.items())},
        "contained_by_behaviour": {k: _rate(v) for k, v in sorted(by_behaviour.items())},
        "wrong_bookings": sum(v.wrong_booking is not None for v in verdicts),
        "wrong_bookings_by_what": dict(Counter(
            v.wrong_booking for v in verdicts if v.wrong_booking).most_common()),
        "fallout_reasons": dict(fallouts.most_common()),
        "fallouts_without_reason": fallouts.get("(none)", 0),
        "seconds_to_booking_median": round(statistics.median(seconds), 1) if seconds else None,
        "seconds_to_booking_p90": _percentile(seconds, 0.9),
        "seconds_to_booking_median_by_behaviour": {
            kind: _percentile([v.seconds_to_booking for v in chosen
                               if v.seconds_to_booking is not None], 0.5)
            for kind, chosen in sorted(by_behaviour.items())},
        "operator_callers_served": f"{sum(v.outcome == 'served' for v in operator_callers)}"
                                   f"/{len(operator_callers)}",
        "why_not_contained": dict(Counter(v.why for v in verdicts if v.why).most_common()),
        "lost_keys_by_reason": dict(lost_reason.most_common()),
        "lost_keys_by_question": dict(lost_where.most_common()),
        "calls_with_lost_keys": sum(bool(r.lost_keys) for r in records),
        "caller_model_errors": sum(r.error is not None for r in records),
        "reprompts_heard": dict(Counter(
            name.split("/")[-1] for r in records for name in r.heard_ids
            if name.split("/")[-1] in REPROMPTS).most_common()),
        "calls_with_reprompts": sum(any(name.split("/")[-1] in REPROMPTS
                                        for name in r.heard_ids) for r in records),
        "gap_ms_p50": _percentile([gap * 1000 for gap in gaps], 0.5, digits=2),
        "gap_ms_p99": _percentile([gap * 1000 for gap in gaps], 0.99, digits=2),
    }


def _lost_key_topics(record: CallRecord) -> list[str]:
    """The question each lost key was meant for (the plan it belonged to)."""
    topics = []
    for key in record.lost_keys:
        if key.reason == "after-session":
            continue
        plan = next((p for p in record.caller.plans
                     if key.at in p.times and key.key in p.keys), None)
        topics.append(f"{plan.topic if plan else '?'}:{key.reason}")
    return topics


async def judge_all(stack: Stack, records: Sequence[CallRecord],
                    existing: Mapping[str, Any]) -> list[Verdict]:
    """Every record judged against what ``stack``'s slot service holds for its caller."""
    verdicts = []
    async with stack.client() as api:
        for record in records:
            intent = record.intent
            booking = existing.get(intent.number)
            outcome = await stack.outcome_of(
                api, number=intent.number, passport_digits=intent.identity_digits,
                birth_date=intent.birth_date,
                existing_reference=booking["reference"] if booking else None)
            verdicts.append(judge(record, outcome, booking))
    return verdicts


def call_summary(record: CallRecord, verdict: Verdict) -> dict[str, Any]:
    """One call, for the ``calls.jsonl`` a kept run writes (what to read when a figure is bad)."""
    intent, caller = record.intent, record.caller
    return {
        "caller": intent.index, "language": intent.language, "goal": intent.goal.value,
        "behaviours": behaviours(intent), "office": intent.office,
        "visit_type": intent.visit_type, "passport": intent.passport,
        "result": record.result, "reason": record.fallout_reason, "verdict": verdict.outcome,
        "wrong": verdict.wrong_booking, "ended_s": round(record.ended_at, 1),
        "error": record.error,
        "plans": [[p.keys, round(p.times[0], 2), p.topic, p.what] for p in caller.plans],
        "notes": caller.notes,
        "lost": [[k.key, round(k.at, 2), k.reason] for k in record.lost_keys],
        "heard": [name.split("/")[-1] for name in record.heard_ids],
    }
