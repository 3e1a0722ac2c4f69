"""Path 2: a sample of the same callers as real SIPp calls into the sandbox's Asterisk.

The stack is the real one end to end: SIPp → the sandbox's Asterisk (its own instance on free
ports, ``tests/e2e/sandbox.py``) → ``AGI(agi://…/booking)`` → ``ivr serve`` → the slot service
on a fresh PostgreSQL database of its own (``Stack``; repeat callers get their booking first).
Operator hours are opened for the run (AMI ``Setvar IVR_OPERATOR_HOURS``), so a fall-out
queues the caller as in office hours instead of sending it back to the menu.

Each call is driven by a **live** ``Caller`` with the same intent and seed as in path 1: AMI
tells it what plays (``AGIExecStart`` of ``STREAM FILE`` / ``GET DATA`` / ``EXEC Read``: the
prompt starts; ``AGIExecEnd``, a key's ``DTMFEnd`` or the prompt's built duration: it stops),
on the clock of this process (virtual time = seconds since the call's first AGI command). Its
keys go out as RFC 4733 bursts (``bench.callers.sipp_keys``): each decision of the caller is
one burst, cued ``CAPTURE_LEAD_S`` + ``CUE_LATENCY_S`` before its first key is due, with the
keys at the offsets the caller chose. SIPp's scenario is fixed before the call, so it is
written from the bursts the same caller made in path 1; if the live caller decides anything
else, the call has diverged: it is ended (AMI ``Hangup``) and counted as a mismatch.

The call's outcome is judged as in path 1 (``bench.callers.figures.judge``) from the ``IVR_*``
``VarSet`` events and the slot service, and compared call by call with path 1's label.

Errors: ``SandboxError``, ``StackError``, ``SippCallFailed`` at start-up; a call's own failure
is recorded on the call (``SampleCall.problem``), not raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import socket
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.callers.caller import Caller, Intent, Plan
from bench.callers.figures import Verdict, judge_all
from bench.callers.path1 import CallRecord
from bench.callers.sipp_keys import CAPTURE_LEAD_S, Burst, start_burst_call
from bench.callers.stack import Stack
from tests.e2e.ami import AmiAddress, AmiWatcher
from tests.e2e.sandbox import Sandbox, SandboxPorts, free_port
from tests.e2e.sipp import SipEndpoint, SippCall, SippCallFailed
from tests.fakes.fake_asterisk import split_arguments
from tests.fakes.timed_asterisk import CallerHangsUp, KeyPress

AMI_USER, AMI_SECRET = "ivr", "ivr-dev-secret"
CUE_LATENCY_S = 0.002  # cue → SIPp starting the capture (the probe: 61 ms for a 60 ms tone)
CALL_LIMIT_S = 420.0
READ_BETWEEN_PROMPTS_S = 0.05
BURST_TIME_TOLERANCE_S = 0.005


class TimedAmi(AmiWatcher):
    """AMI events with their arrival time (``_at``, monotonic), dispatched per caller number."""

    def __init__(self, *, address: AmiAddress) -> None:
        super().__init__(address=address)
        self.queues: dict[str, asyncio.Queue[dict[str, Any]]] = defaultdict(asyncio.Queue)

    def _record(self, _manager: Any, message: Any) -> None:
        event = dict(message)
        event["_at"] = time.monotonic()
        self.events.append(event)
        number = event.get("CallerIDNum")
        if isinstance(number, str) and number in self.queues:
            self.queues[number].put_nowait(event)


def bursts_of(plans: Sequence[Plan], ended_at: float) -> tuple[list[Burst], bool]:
    """The SIPp bursts of a caller's key plans that began before its call ended, and whether
    the caller hung up itself (a hang-up plan before the end)."""
    bursts, hangs_up = [], False
    for plan in plans:
        if plan.times[0] > ended_at:
            continue
        if not plan.keys:
            hangs_up = True
            continue
        first = plan.times[0]
        bursts.append(Burst(plan.keys, tuple(round(t - first, 4) for t in plan.times)))
    return bursts, hangs_up


@dataclass
class _Playing:
    """A prompt of the command running: pending (``starts`` ahead), playing, or stopped."""

    file_name: str
    starts: float
    ends: float  # the built duration's end
    command: str
    started: bool = False
    stopped: bool = False


@dataclass
class SampleCall:
    """One SIPp call of the sample and what it did."""

    intent: Intent
    expected: list[Burst]
    caller: Caller
    variables: dict[str, str] = field(default_factory=dict)
    heard_ids: list[str] = field(default_factory=list)
    dtmf_received: str = ""
    cue_late_ms: list[float] = field(default_factory=list)  # behind the caller's timing
    problem: str | None = None
    caller_hung_up: bool = False
    agi_hung_up: bool = False
    ended_at: float = 0.0


class LiveCall:
    """Drives one SIPp call: AMI events in, the caller's bursts out, in time order."""

    def __init__(self, sample: SampleCall, *, sipp: SippCall, ami: TimedAmi,
                 durations: Mapping[str, float], hang_up_cue: bool) -> None:
        self.sample = sample
        self.caller = sample.caller
        self.sipp = sipp
        self.ami = ami
        self.durations = durations
        self.queue = ami.queues[sample.intent.number]
        self.t0: float | None = None
        self.prompts: list[_Playing] = []
        self.cued_firsts: set[float] = set()
        self.cued_times: set[float] = set()
        self.hang_up_cue = hang_up_cue
        self.channel: str | None = None
        self.agi_ended = False
        self.done = False

    def vt(self, at: float | None = None) -> float:
        """Virtual time of this call: seconds since its first AGI command."""
        moment = time.monotonic() if at is None else at
        return 0.0 if self.t0 is None else moment - self.t0

    async def run(self) -> None:
        deadline = time.monotonic() + CALL_LIMIT_S
        while not self.done:
            if time.monotonic() > deadline:
                self.sample.problem = "the call did not end in time"
                await self._end_call()
                self.done = True
                break
            wait = self._next_moment() - self.vt()
            try:
                if math.isfinite(wait):
                    event = await asyncio.wait_for(self.queue.get(), max(wait, 0.0))
                else:
                    event = await asyncio.wait_for(self.queue.get(), 5.0)
            except TimeoutError:
                event = None
            if event is not None:
                await self._live_until(self.vt(event["_at"]))
                await self._on_event(event)
            else:
                await self._live_until(self.vt())

    def _timers(self) -> list[tuple[float, str, _Playing]]:
        found = []
        for prompt in self.prompts:
            if not prompt.started:
                found.append((prompt.starts, "start", prompt))
            elif not prompt.stopped:
                found.append((prompt.ends, "end", prompt))
        return found

    def _next_moment(self) -> float:
        moments = [at for at, _, _ in self._timers()]
        item = self.caller.peek() if self.t0 is not None and not self.agi_ended else None
        if item is not None:
            at, kind = item
            if kind == "key" and at not in self.cued_times:
                at -= CAPTURE_LEAD_S + CUE_LATENCY_S
            moments.append(at)
        return min(moments, default=math.inf)

    async def _live_until(self, now: float) -> None:
        """Everything due up to ``now``, in time order: prompts starting and ending on their
        built durations, the caller's timers and acts, and the cues of its bursts ahead."""
        while self.t0 is not None and not self.agi_ended:
            timers = self._timers()
            timer = min(timers, key=lambda t: t[0], default=None)
            item = self.caller.peek()
            if item is not None and item[1] == "key" and item[0] not in self.cued_times \
                    and item[0] - CAPTURE_LEAD_S - CUE_LATENCY_S <= now:
                await self._cue_plan(item[0])
                continue
            t_timer = timer[0] if timer else math.inf
            t_item = item[0] if item else math.inf
            if min(t_timer, t_item) > now:
                return
            if timer is not None and t_timer <= t_item:
                at, kind, prompt = timer
                if kind == "start":
                    prompt.started = True
                    # heard once it starts, as in path 1: a Read's prompts after the one a key
                    # cut never start
                    self.sample.heard_ids.append(prompt.file_name)
                    self.caller.prompt_started(prompt.file_name, at, prompt.ends - prompt.starts)
                else:
                    prompt.stopped = True
                    self.caller.prompt_stopped(prompt.file_name, at, True)
                continue
            act = self.caller.next_act(t_item)
            if isinstance(act, CallerHangsUp):
                self.sample.caller_hung_up = True
                await self._hang_up()
            elif isinstance(act, KeyPress) and act.at not in self.cued_times:
                self.sample.problem = f"key {act.key} at {act.at:.2f} s was never cued"

    async def _cue_plan(self, first_at: float) -> None:
        plan = self.caller.plan_at(first_at)
        index = len(self.cued_firsts)
        expected = self.sample.expected[index] if index < len(self.sample.expected) else None
        if plan is None:
            self.sample.problem = f"no plan starts at {first_at:.2f} s"
            await self._end_call()
            return
        self.cued_firsts.add(first_at)
        self.cued_times.update(plan.times)
        offsets = tuple(round(t - plan.times[0], 4) for t in plan.times)
        if expected is None or expected.keys != plan.keys or any(
                abs(a - b) > BURST_TIME_TOLERANCE_S
                for a, b in zip(expected.offsets_s, offsets, strict=True)):
            self.sample.problem = (f"diverged: burst {index} is {plan.keys!r}, path 1 had "
                                   f"{expected.keys if expected else None!r}")
            await self._end_call()
            return
        await self.sipp.cue()  # waits if the last cue was under the harness's CUE_GAP_S ago
        due = first_at - CAPTURE_LEAD_S - CUE_LATENCY_S
        self.sample.cue_late_ms.append(round(max(0.0, self.vt() - due) * 1000, 1))

    async def _hang_up(self) -> None:
        """The caller hangs up: SIPp's BYE when its scenario is there, else AMI's Hangup."""
        if self.hang_up_cue and self.sipp.cues_left == 1:
            await self.sipp.cue()
        else:
            await self._end_call()

    async def _end_call(self) -> None:
        if self.channel is not None:
            with contextlib.suppress(Exception):
                await self.ami.action(Action="Hangup", Channel=self.channel)
        self._agi_over()

    async def _on_event(self, event: dict[str, Any]) -> None:
        name = event.get("Event")
        self.channel = self.channel or event.get("Channel")
        now = self.vt(event["_at"])
        if name == "AGIExecStart":
            if self.t0 is None:
                self.t0 = event["_at"]
                now = 0.0
            self._command_started(str(event.get("Command", "")), now)
            await self._live_until(now)
        elif name == "AGIExecEnd":
            for prompt in self.prompts:
                if prompt.command == event.get("Command") and not prompt.stopped:
                    if prompt.started:
                        self.caller.prompt_stopped(prompt.file_name, now,
                                                   now >= prompt.ends - 0.05)
                    prompt.started = prompt.stopped = True
        elif name == "DTMFEnd" and event.get("Direction") == "Received":
            self.sample.dtmf_received += str(event.get("Digit", ""))
            for prompt in self.prompts:  # GET DATA and Read stop their prompts on any key
                if prompt.command.upper().startswith(("GET DATA", "EXEC")) \
                        and not prompt.stopped:
                    if prompt.started:
                        self.caller.prompt_stopped(prompt.file_name, now, False)
                    prompt.started = prompt.stopped = True
        elif name == "VarSet":
            variable, value = str(event.get("Variable", "")), str(event.get("Value", ""))
            if variable.startswith("IVR_") and value and variable not in self.sample.variables:
                self.sample.variables[variable] = value
        elif name == "QueueCallerJoin":
            self._agi_over()
            await self._hang_up()
        elif name == "Hangup":
            self._agi_over()
            self.done = True

    def _agi_over(self) -> None:
        if not self.agi_ended:
            self.agi_ended = True
            self.sample.ended_at = self.vt()
            self.caller.session_ended(self.sample.ended_at, self.sample.agi_hung_up)

    def _command_started(self, command: str, now: float) -> None:
        words = split_arguments(command)
        upper = [word.upper() for word in words]
        files: list[str] = []
        between = 0.0
        if upper[:2] in (["STREAM", "FILE"], ["GET", "DATA"]) and len(words) > 2:
            files = [words[2]]
        elif upper[:2] == ["EXEC", "READ"] and len(words) > 2 and "," in words[2]:
            files = [name for name in words[2].split(",")[1].split("&") if name]
            between = READ_BETWEEN_PROMPTS_S
        elif upper[:1] == ["HANGUP"]:
            self.sample.agi_hung_up = True
        self.prompts = [p for p in self.prompts if not p.stopped]
        start = now
        for file_name in files:
            if file_name not in self.durations:
                continue
            duration = self.durations[file_name]
            self.prompts.append(_Playing(file_name, start, start + duration, command))
            start += duration + between


async def run_sample(records: Sequence[CallRecord], *, durations: Mapping[str, float],
                     texts: Mapping[str, Mapping[str, str]], workdir: Path,
                     concurrency: int) -> list[tuple[SampleCall, CallRecord, Verdict]]:
    """The records' callers again, as real SIPp calls; with each, its path-2 record and
    verdict."""
    ports = SandboxPorts.pick()
    env_file = workdir / "asterisk.env"
    workdir.mkdir(parents=True, exist_ok=True)
    env_file.write_text("")
    box = Sandbox(ports=ports, env_file=env_file, instance=f"callers-{os.getpid()}")
    await asyncio.to_thread(box.run, "start")
    stack: Stack | None = None
    try:
        stack = await Stack.start(workdir / "stack", agi_port=ports.agi)
        existing = await stack.book_for_repeat_callers([record.intent for record in records])
        address = AmiAddress(host="127.0.0.1", port=ports.ami, username=AMI_USER,
                             secret=AMI_SECRET)
        async with TimedAmi(address=address) as ami:
            hours = await ami.action(Action="Getvar", Variable="IVR_OPERATOR_HOURS")
            await ami.set_global("IVR_OPERATOR_HOURS", "*,*,*,*")
            try:
                limit = asyncio.Semaphore(concurrency)

                async def one(record: CallRecord) -> SampleCall:
                    async with limit:
                        return await _one_call(record, ami=ami, ports=ports,
                                               durations=durations, texts=texts,
                                               workdir=workdir)

                samples = await asyncio.gather(*(one(record) for record in records))
            finally:
                await ami.set_global("IVR_OPERATOR_HOURS", hours.get("Value", ""))
        path2 = [CallRecord(intent=sample.intent, caller=sample.caller,
                            variables=sample.variables, lost_keys=[],
                            heard_ids=sample.heard_ids, ended_at=sample.ended_at, gaps_s=[],
                            agi_hung_up=sample.agi_hung_up, caller_hung_up=sample.caller_hung_up)
                 for sample in samples]
        verdicts = await judge_all(stack, path2, existing)
        judged = list(zip(samples, path2, verdicts, strict=True))
        return judged
    finally:
        if stack is not None:
            await stack.stop()
        await asyncio.to_thread(box.run, "stop", timeout_s=120)


async def _one_call(record: CallRecord, *, ami: TimedAmi, ports: SandboxPorts,
                    durations: Mapping[str, float], texts: Mapping[str, Mapping[str, str]],
                    workdir: Path) -> SampleCall:
    intent = record.intent
    expected, hangs_up = bursts_of(record.caller.plans, record.ended_at)
    sample = SampleCall(intent=intent, expected=expected,
                        caller=Caller(intent, texts=texts))
    hang_up_cue = hangs_up or record.result not in ("booked", "cancelled")
    target = SipEndpoint(host="127.0.0.1", port=ports.sip,
                         local_port=free_port(socket.SOCK_DGRAM),
                         media_port=free_port(socket.SOCK_DGRAM), cue_port=free_port())
    ami.queues[intent.number]  # subscribe before the call starts
    try:
        sipp = await start_burst_call(number=intent.number, name=f"caller-{intent.index}",
                                      bursts=expected, hang_up_on_cue=hang_up_cue,
                                      target=target, workdir=workdir / "sipp")
    except SippCallFailed as error:
        sample.problem = f"SIPp did not start: {error}"
        return sample
    live = LiveCall(sample, sipp=sipp, ami=ami, durations=durations, hang_up_cue=hang_up_cue)
    try:
        await live.run()
    finally:
        try:
            await sipp.finished(timeout_s=30)
        except SippCallFailed as error:
            if sample.problem is None and not _expected_sipp_end(sample, record):
                sample.problem = f"SIPp: {str(error)[:300]}"
    return sample


def _expected_sipp_end(sample: SampleCall, record: CallRecord) -> bool:
    """A scenario written for path 1's ending fails when path 2 ended otherwise; that shows
    as a different outcome already, not as a second problem."""
    return sample.variables.get("IVR_RESULT", "") != record.result

