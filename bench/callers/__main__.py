"""``make bench-callers``: how many callers book without an operator (issue 12).

    .venv/bin/python -m bench.callers [--calls 2000] [--seed 12] [--concurrency 4]
                                      [--network-rtt-ms 0] [--sipp 30]
                                      [--sipp-concurrency 6] [--sipp-max-call-s S] [--keep DIR]

1. The population (``bench.callers.population``: shares, intents, behaviours; fixed seed).
2. Path 1: a fresh PostgreSQL database (migrated, seeded, materialised), ``slot-service
   serve`` and ``ivr serve`` as subprocesses; repeat callers' bookings made first; every caller
   through the FastAGI wire with the timed fake Asterisk (``tests/fakes/timed_asterisk``), each
   judged against its intent (``bench.callers.figures``).
3. Path 2: ``--sipp`` of the same callers (a fixed, behaviour-spread sample) as real SIPp
   calls into the sandbox's Asterisk with their keys at the same timings
   (``bench.callers.sipp_path``), on a stack of their own; each outcome is compared with the
   caller's path-1 outcome.

Prints a table to stderr and one JSON line to stdout with every figure of the issue: ``calls``,
``self_service_calls``, ``contained``, ``contained_by_language``, ``contained_by_behaviour``,
``wrong_bookings``, ``fallout_reasons``, ``fallouts_without_reason``,
``seconds_to_booking_median`` / ``_p90`` (answer → "Booked", virtual seconds of path 1),
``real_asterisk_calls``, ``real_asterisk_mismatches``, ``fastagi_cpu_ms_per_booked_call``
(CPU of the ``ivr serve`` process during path 1 over the calls that booked), the realised
``shares`` and how they are combined, and the breakdowns behind the figures
(``why_not_contained``, ``lost_keys_by_*``, the gap between AGI commands).

Exits 0 when the run completed, 1 when a call broke the caller model or the fake (counted in
``caller_model_errors``, with the calls in ``calls.jsonl`` of ``--keep``); the figures' targets
are read by people, not by this exit code (they are for the flow that is being changed).

Errors: ``StackError``, ``SandboxError`` (path 2), PostgreSQL's errors when the server is down.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bench.callers.caller import Intent
from bench.callers.figures import Verdict, call_summary, figures, judge_all
from bench.callers.path1 import CallRecord, run_population
from bench.callers.population import behaviours, population, shares
from bench.callers.stack import ROOT, Stack
from prompts.catalog import load_catalog
from prompts.manifest import Manifest

SOUNDS = ROOT / "build" / "sounds"
HOW_SHARES_COMBINE = (
    "pace partitions the calls (expert 20, first-timer 40, slow 15, fast typist 10, "
    "wrong key 10 and silent once 5 at the first-timer's pace); independently and exclusive "
    "among themselves: operator at once 5, repeat caller 5 (half cancel, half keep), hangs up "
    "3, changes mind with * 5; letters in the passport for 25 of the uk and vi callers")


def prompt_durations(sounds: Path = SOUNDS) -> dict[str, float]:
    manifest = Manifest.load(sounds)
    return {f"{language}/ivr/{prompt_id}": entry.duration_s
            for language, entries in manifest.prompts.items()
            for prompt_id, entry in entries.items()}


def sample_for_sipp(records: Sequence[CallRecord], size: int, *, seed: int,
                    max_call_s: float | None = None) -> list[CallRecord]:
    """``size`` calls spread over the behaviours: round robin over the callers' most
    particular behaviour (goal, incident, letters, else the pace), in population order within
    each; ``max_call_s`` leaves out calls that lasted longer in path 1."""
    if size <= 0:
        return []
    groups: dict[str, list[CallRecord]] = {}
    for record in records:
        if max_call_s is not None and record.ended_at > max_call_s:
            continue
        kinds = behaviours(record.intent)
        groups.setdefault(kinds[-1] if len(kinds) > 1 else kinds[0], []).append(record)
    order = sorted(groups)
    random.Random(seed).shuffle(order)
    chosen: list[CallRecord] = []
    while len(chosen) < size and any(groups.values()):
        for name in order:
            if groups[name] and len(chosen) < size:
                chosen.append(groups[name].pop(0))
    return chosen


async def path_one(callers: Sequence[Intent], *, folder: Path, concurrency: int,
                   durations: Mapping[str, float], texts: Mapping[str, Mapping[str, str]],
                   extra_gap_s: float) -> tuple[list[CallRecord], list[Verdict], dict[str, Any]]:
    stack = await Stack.start(folder / "path1")
    try:
        existing = await stack.book_for_repeat_callers(callers)
        cpu_before, started = stack.fastagi_cpu_s(), time.monotonic()
        records = await run_population(callers, port=stack.agi_port, durations=durations,
                                       texts=texts, concurrency=concurrency,
                                       extra_gap_s=extra_gap_s)
        cpu_s, wall_s = stack.fastagi_cpu_s() - cpu_before, time.monotonic() - started
        verdicts = await judge_all(stack, records, existing)
    finally:
        await stack.stop()
    booked = sum(record.result == "booked" for record in records)
    run = {"path1_wall_s": round(wall_s, 1), "fastagi_cpu_s": round(cpu_s, 2),
           "booked_calls": booked,
           "fastagi_cpu_ms_per_booked_call": round(cpu_s * 1000 / booked, 1) if booked else None}
    return records, verdicts, run


async def path_two(records: Sequence[CallRecord], verdicts: Sequence[Verdict], *, size: int,
                   seed: int, folder: Path, concurrency: int, durations: Mapping[str, float],
                   texts: Mapping[str, Mapping[str, str]], max_call_s: float | None
                   ) -> dict[str, Any]:
    from bench.callers.sipp_path import run_sample  # imports the e2e harness

    chosen = sample_for_sipp(records, size, seed=seed, max_call_s=max_call_s)
    if not chosen:
        return {"real_asterisk_calls": 0, "real_asterisk_mismatches": 0}
    label_of = {record.intent.index: verdict.outcome
                for record, verdict in zip(records, verdicts, strict=True)}
    started = time.monotonic()
    judged = await run_sample(chosen, durations=durations, texts=texts,
                              workdir=folder / "path2", concurrency=concurrency)
    first = {record.intent.index: record for record in chosen}
    mismatches, prompts_differ, keys_differ = [], 0, 0
    late: list[float] = []
    for sample, record, verdict in judged:
        expected = label_of[sample.intent.index]
        late.extend(sample.cue_late_ms)
        before = first[sample.intent.index]
        prompts_differ += menu_prompts(before.heard_ids) != menu_prompts(record.heard_ids)
        keys_differ += key_plans(before) != key_plans(record)
        if verdict.outcome != expected or sample.problem:
            mismatches.append({"caller": sample.intent.index, "path1": expected,
                               "path2": verdict.outcome, "problem": sample.problem})
    late.sort()
    return {
        "real_asterisk_calls": len(judged),
        "real_asterisk_mismatches": len(mismatches),
        "real_asterisk_mismatch_details": mismatches,
        "real_asterisk_outcomes": dict(Counter(v.outcome for _, _, v in judged).most_common()),
        "real_asterisk_prompt_sequences_differ": prompts_differ,
        "real_asterisk_key_sequences_differ": keys_differ,
        "real_asterisk_cue_late_ms_p50": late[len(late) // 2] if late else None,
        "real_asterisk_cue_late_ms_max": late[-1] if late else None,
        "path2_wall_s": round(time.monotonic() - started, 1),
    }


FRAGMENTS = ("digit-", "date-", "weekday-", "time-", "year-", "group-")


def menu_prompts(heard: Sequence[str]) -> list[str]:
    """The prompts a call heard, without the fragments of dates, times and numbers (which
    differ between two databases: the slots offered are not the same)."""
    return [name for name in heard if not name.split("/")[-1].startswith(FRAGMENTS)]


def key_plans(record: CallRecord) -> list[str]:
    """The keys the caller decided on before its call ended, decision by decision."""
    return [plan.keys for plan in record.caller.plans
            if plan.keys and plan.times[0] <= record.ended_at]


def table(result: Mapping[str, Any]) -> str:
    lines = [f"calls {result['calls']}, self-service {result['self_service_calls']}, "
             f"contained {result['contained']}, wrong bookings {result['wrong_bookings']}, "
             f"fall-outs without reason {result['fallouts_without_reason']}"]
    lines.append("by language: " + ", ".join(
        f"{k} {v}" for k, v in result["contained_by_language"].items()))
    lines.append("by behaviour: " + ", ".join(
        f"{k} {v}" for k, v in result["contained_by_behaviour"].items()))
    lines.append(f"fall-outs: {result['fallout_reasons']}")
    lines.append(f"not contained: {result['why_not_contained']}")
    lines.append(f"real Asterisk: {result['real_asterisk_calls']} calls, "
                 f"{result['real_asterisk_mismatches']} mismatches")
    return "\n".join(lines)


async def run(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    callers = population(args.calls, seed=args.seed)
    durations = prompt_durations()
    texts = load_catalog().texts
    records, verdicts, run_figures = await path_one(
        callers, folder=folder, concurrency=args.concurrency, durations=durations, texts=texts,
        extra_gap_s=args.network_rtt_ms / 1000)
    result: dict[str, Any] = {"seed": args.seed, "network_rtt_ms": args.network_rtt_ms,
                              **figures(records, verdicts)}
    with (folder / "calls.jsonl").open("w", encoding="utf-8") as calls:
        for record, verdict in zip(records, verdicts, strict=True):
            calls.write(json.dumps(call_summary(record, verdict), ensure_ascii=False) + "\n")
    result.update(run_figures)
    result.update(await path_two(records, verdicts, size=args.sipp, seed=args.seed,
                                 folder=folder, concurrency=args.sipp_concurrency,
                                 durations=durations, texts=texts,
                                 max_call_s=args.sipp_max_call_s))
    result["shares"] = shares(callers)
    result["shares_combined"] = HOW_SHARES_COMBINE
    result["unknown_prompts_heard"] = sorted(
        {prompt for record in records for prompt in record.caller.unknown_prompts})
    result["load_average"] = round(os.getloadavg()[0], 2)
    return result


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--concurrency", type=int, default=4,
                        help="path-1 calls at once")
    parser.add_argument("--network-rtt-ms", type=float, default=0.0,
                        help="path 1: add this to every gap between AGI commands, as if "
                             "Asterisk and ivr serve were on different hosts")
    parser.add_argument("--sipp", type=int, default=30, help="path-2 SIPp calls (0: none)")
    parser.add_argument("--sipp-concurrency", type=int, default=6)
    parser.add_argument("--sipp-max-call-s", type=float, default=None,
                        help="sample only calls that lasted at most this long in path 1")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep logs and SIPp files in this folder")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        result = asyncio.run(run(args, args.keep))
    else:
        with tempfile.TemporaryDirectory(prefix="bench-callers-") as folder:
            result = asyncio.run(run(args, Path(folder)))
    print(table(result), file=sys.stderr)
    print(json.dumps(result, ensure_ascii=False, sort_keys=True))
    return 1 if result["caller_model_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
