"""The outbound job's loop: ask the slot service for the calls to place, place them, report
each outcome, and ask again as calls end, until the plan has nothing more.

The slot service decides everything about whom to call and when (``POST /outbound/plan``
records each attempt before it is returned, so a job that dies leaves attempts the next plan
counts as failed after ``call_timeout_minutes``); the job never places more than it was given,
so the concurrency limit holds across jobs. Progress is logged per attempt.

Errors: ``PlanUnavailable`` (the slot service), ``DialerUnavailable`` (AMI) end the run; the
attempts in progress are then reported as failed first, so the callers are tried again.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from ivr.outbound import DialerUnavailable, PlanUnavailable
from ivr.outbound.dialer import Ended, Notice

logger = logging.getLogger(__name__)


class Dialer(Protocol):
    async def place(self, notice: Notice) -> Ended: ...


class Planner(Protocol):
    async def plan(self) -> list[Notice]: ...

    async def record(self, attempt_id: int, ended: Ended) -> None: ...


class SlotServicePlanner:
    """The slot service's ``/outbound`` routes over HTTP (role ivr)."""

    def __init__(self, *, client: httpx.AsyncClient) -> None:
        self._client = client

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        try:
            response = await self._client.post(path, json=body)
        except httpx.HTTPError as error:
            raise PlanUnavailable(f"POST {path}: {error!r}") from error
        if response.status_code >= 400:
            raise PlanUnavailable(f"POST {path}: HTTP {response.status_code} {response.text}")
        return response

    async def plan(self) -> list[Notice]:
        body = (await self._post("/outbound/plan")).json()
        if body.get("no_call_reason"):
            logger.info("no calls now: %s", body["no_call_reason"])
        return [
            Notice(attempt_id=call["attempt_id"], kind=call["kind"],
                   booking_reference=call["booking_reference"],
                   caller_number=call["caller_number"])
            for call in body["calls"]
        ]

    async def record(self, attempt_id: int, ended: Ended) -> None:
        body: dict[str, Any] = {"outcome": ended.outcome}
        if ended.new_booking_reference is not None:
            body["new_booking_reference"] = ended.new_booking_reference
        await self._post(f"/outbound/attempts/{attempt_id}/outcome", body)


@dataclass
class RunReport:
    outcomes: dict[int, str] = field(default_factory=dict)  # attempt id → outcome


async def run_calls(*, planner: Planner, dialer: Dialer) -> RunReport:
    """Plan and place until the plan is empty and every call placed has ended."""
    report = RunReport()
    running: dict[asyncio.Task[Ended], Notice] = {}
    try:
        while True:
            for notice in await planner.plan():
                logger.info("placing attempt %s (%s of booking %s)", notice.attempt_id,
                            notice.kind, notice.booking_reference)
                running[asyncio.create_task(dialer.place(notice))] = notice
            if not running:
                return report
            done, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                notice = running.pop(task)
                try:
                    ended = task.result()
                except DialerUnavailable:
                    running[task] = notice  # reported as failed with the rest (finally)
                    raise
                await planner.record(notice.attempt_id, ended)
                report.outcomes[notice.attempt_id] = ended.outcome
                logger.info("attempt %s: %s", notice.attempt_id, ended.outcome)
    finally:
        await _fail_the_rest(planner, running, report)


async def _fail_the_rest(planner: Planner, running: dict[asyncio.Task[Ended], Notice],
                         report: RunReport) -> None:
    """A run that ends early reports its calls in progress as failed (to be retried)."""
    for task, notice in running.items():
        if not task.done():
            task.cancel()
        try:
            await planner.record(notice.attempt_id, Ended("failed"))
        except PlanUnavailable as error:
            logger.error("attempt %s left without an outcome (%s); the slot service counts it "
                         "as failed after its call timeout", notice.attempt_id, error)
            continue
        report.outcomes[notice.attempt_id] = "failed"


__all__ = ["DialerUnavailable", "PlanUnavailable", "RunReport", "SlotServicePlanner",
           "run_calls"]
