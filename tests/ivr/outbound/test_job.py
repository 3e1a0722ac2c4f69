"""The outbound job's loop and outcome mapping, with a planner and a dialer of the test's own
(the slot service's planner is tested on PostgreSQL, the dialer on the sandbox Asterisk)."""

from __future__ import annotations

import asyncio

import pytest

from ivr.outbound import DialerUnavailable
from ivr.outbound.dialer import Ended, Notice
from ivr.outbound.job import run_calls
from ivr.outbound.outcomes import answered_outcome, unanswered_outcome


def notice(attempt_id: int) -> Notice:
    return Notice(attempt_id=attempt_id, kind="reminder", booking_reference=f"{attempt_id:08d}",
                  caller_number=f"+42077700{attempt_id:04d}")


class ScriptedPlanner:
    """Each plan() gives the next batch; every record is kept."""

    def __init__(self, *batches: list[Notice]) -> None:
        self.batches = list(batches)
        self.recorded: list[tuple[int, Ended]] = []

    async def plan(self) -> list[Notice]:
        return self.batches.pop(0) if self.batches else []

    async def record(self, attempt_id: int, ended: Ended) -> None:
        self.recorded.append((attempt_id, ended))


class ScriptedDialer:
    def __init__(self, outcomes: dict[int, Ended | Exception], delays: dict[int, float]) -> None:
        self.outcomes = outcomes
        self.delays = delays
        self.placed: list[int] = []
        self.concurrent = 0
        self.most_concurrent = 0

    async def place(self, notice: Notice) -> Ended:
        self.placed.append(notice.attempt_id)
        self.concurrent += 1
        self.most_concurrent = max(self.most_concurrent, self.concurrent)
        try:
            await asyncio.sleep(self.delays.get(notice.attempt_id, 0))
            outcome = self.outcomes[notice.attempt_id]
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        finally:
            self.concurrent -= 1


async def test_every_call_given_is_placed_and_its_outcome_recorded_as_calls_end() -> None:
    planner = ScriptedPlanner([notice(1), notice(2)], [notice(3)])
    dialer = ScriptedDialer({1: Ended("kept"), 2: Ended("busy"),
                             3: Ended("rebooked", "58132497")}, {1: 0.05, 2: 0.01})
    report = await run_calls(planner=planner, dialer=dialer)
    assert report.outcomes == {1: "kept", 2: "busy", 3: "rebooked"}
    assert [attempt for attempt, _ in planner.recorded] == [2, 3, 1]  # as they end
    assert (3, Ended("rebooked", "58132497")) in planner.recorded
    assert dialer.most_concurrent == 2  # what the plans gave at once, no more


async def test_nothing_to_call_ends_at_once() -> None:
    planner = ScriptedPlanner()
    assert (await run_calls(planner=planner, dialer=ScriptedDialer({}, {}))).outcomes == {}


async def test_a_lost_ami_reports_the_calls_in_progress_as_failed() -> None:
    planner = ScriptedPlanner([notice(1), notice(2)])
    dialer = ScriptedDialer({1: DialerUnavailable("lost"), 2: Ended("kept")}, {2: 5.0})
    with pytest.raises(DialerUnavailable):
        await run_calls(planner=planner, dialer=dialer)
    assert sorted(planner.recorded) == [(1, Ended("failed")), (2, Ended("failed"))]


@pytest.mark.parametrize(("reason", "outcome"), [
    ("5", "busy"), ("3", "no-answer"), ("1", "no-answer"), ("8", "failed"), ("0", "failed"),
])
def test_unanswered_calls(reason: str, outcome: str) -> None:
    assert unanswered_outcome(reason) == outcome


@pytest.mark.parametrize(("news", "outcome"), [
    ({"dial_status": "BUSY", "hangup_cause": "17"}, "busy"),  # Asterisk 22: reason 0
    ({"hangup_cause": "17"}, "busy"),
    ({"dial_status": "NOANSWER"}, "no-answer"),
    ({"hangup_cause": "19"}, "no-answer"),
    ({"dial_status": "CHANUNAVAIL", "hangup_cause": "34"}, "failed"),
])
def test_the_dialled_channel_says_why_before_the_originate_reason(
    news: dict[str, str], outcome: str
) -> None:
    assert unanswered_outcome("0", **news) == outcome


@pytest.mark.parametrize(("result", "outcome"), [
    ("kept", "kept"), ("cancelled", "cancelled"), ("rebooked", "rebooked"),
    ("opted-out", "opted-out"), ("fallout", "operator"), ("hangup", "hung-up"),
    ("", "hung-up"), ("answering-machine", "answering-machine"), ("error", "failed"),
    ("booked", "failed"),
])
def test_answered_calls(result: str, outcome: str) -> None:
    assert answered_outcome(result) == outcome
