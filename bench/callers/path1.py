"""Path 1: every caller through the FastAGI wire with the timed fake Asterisk.

Each call connects to ``ivr serve`` as Asterisk would (``TimedFakeAsterisk``: prompt durations
from the build's manifest, the real gap between commands on a virtual clock) with the caller as
its listener. ``concurrency`` calls run at once; the FastAGI server's time per command (the gap)
then includes its queueing behind the other calls, which the output reports (``gap_ms_p50``,
``gap_ms_p99``) so that a loaded run can be told from a quiet one.

Errors: ``StackError`` from the stack. An exception inside one call (a bug of the caller model
or the fake) is recorded on its ``CallRecord.error`` and the run goes on; the benchmark then
reports it and exits non-zero.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.callers.caller import Caller, Intent
from tests.fakes.timed_asterisk import LostKey, TimedFakeAsterisk


@dataclass
class CallRecord:
    """What one call did, on either path."""

    intent: Intent
    caller: Caller
    variables: dict[str, str]
    lost_keys: list[LostKey]
    heard_ids: list[str]
    ended_at: float
    gaps_s: list[float]
    agi_hung_up: bool
    caller_hung_up: bool
    error: str | None = None  # the caller model or the fake broke (a bug to fix)

    @property
    def result(self) -> str:
        return self.variables.get("IVR_RESULT", "")

    @property
    def fallout_reason(self) -> str:
        return self.variables.get("IVR_FALLOUT_REASON", "")


async def run_call(intent: Intent, *, port: int, durations: Mapping[str, float],
                   texts: Mapping[str, Mapping[str, str]], extra_gap_s: float = 0.0
                   ) -> CallRecord:
    caller = Caller(intent, texts=texts)
    fake = TimedFakeAsterisk(port=port, listener=caller, durations=durations,
                             callerid=intent.number, language="cs", reply_timeout_s=60.0,
                             extra_gap_s=extra_gap_s)
    error = None
    try:
        transcript = await fake.run()
    except Exception as failure:  # a bug of the caller model: counted, the run goes on
        error = f"{type(failure).__name__}: {failure}"
        transcript = fake.simulator.transcript
    return CallRecord(
        intent=intent,
        caller=caller,
        variables=dict(transcript.variables),
        lost_keys=list(transcript.lost_keys),
        heard_ids=[heard.file_name for heard in transcript.heard],
        ended_at=transcript.ended_at,
        gaps_s=transcript.gaps_s,
        agi_hung_up=transcript.agi_hung_up,
        caller_hung_up=transcript.caller_hung_up,
        error=error,
    )


async def run_population(callers: Sequence[Intent], *, port: int,
                         durations: Mapping[str, float], texts: Mapping[str, Mapping[str, str]],
                         concurrency: int, extra_gap_s: float = 0.0) -> list[CallRecord]:
    limit = asyncio.Semaphore(concurrency)

    async def one(intent: Intent) -> CallRecord:
        async with limit:
            return await run_call(intent, port=port, durations=durations, texts=texts,
                                  extra_gap_s=extra_gap_s)

    return list(await asyncio.gather(*(one(intent) for intent in callers)))
