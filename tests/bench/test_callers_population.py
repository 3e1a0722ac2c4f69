"""bench.callers: the population's shares, the judging of a call against its intent, and the
bursts of keys for SIPp — pure parts, no services."""

from __future__ import annotations

import dataclasses
import struct
from collections import Counter
from datetime import date, time

import pytest

from bench.callers.caller import Caller, Goal, Offer, Plan
from bench.callers.figures import judge
from bench.callers.path1 import CallRecord
from bench.callers.population import population, shares
from bench.callers.sipp_keys import TONE_MS, Burst, burst_packets
from bench.callers.sipp_path import bursts_of
from bench.callers.stack import CallerOutcome
from prompts.catalog import load_catalog

TEXTS = load_catalog().texts


def test_the_population_has_the_issues_shares_and_is_the_same_for_a_seed() -> None:
    callers = population(20_000, seed=3)
    assert callers[:50] == population(50, seed=3)
    assert callers[:50] != population(50, seed=4)
    realised = shares(callers)
    expected_languages = {"uk": 0.30, "vi": 0.25, "ru": 0.15, "en": 0.15, "cs": 0.15}
    for language, share in expected_languages.items():
        assert realised["languages"][language] == pytest.approx(share, abs=0.015)
    kinds = Counter(intent.kind for intent in callers)
    for kind, share in (("expert", 0.20), ("first-timer", 0.40), ("slow", 0.15),
                        ("fast-typist", 0.10), ("wrong-key", 0.10), ("silent-once", 0.05)):
        assert kinds[kind] / len(callers) == pytest.approx(share, abs=0.015)
    behaviours = realised["behaviours"]
    assert behaviours["operator-at-once"] == pytest.approx(0.05, abs=0.01)
    assert behaviours["repeat-caller"] == pytest.approx(0.05, abs=0.01)
    assert behaviours["hangs-up"] == pytest.approx(0.03, abs=0.01)
    assert behaviours["changes-mind"] == pytest.approx(0.05, abs=0.01)
    assert realised["letters_among_uk_vi"] == pytest.approx(0.25, abs=0.015)
    assert len({intent.number for intent in callers}) == len(callers)


def test_letter_passports_look_like_the_issues_examples() -> None:
    letters = [c.passport for c in population(3000, seed=5) if c.has_letters]
    assert letters
    for passport in letters:
        assert len(passport) == 8
        assert passport[0].isalpha() and passport[-6:].isdigit()
    assert {c.language for c in population(3000, seed=5) if c.has_letters} == {"uk", "vi"}


def record(intent_changes: dict[str, object], *, result: str = "booked", reason: str = "",
           offer: Offer | None = None) -> CallRecord:
    changes = {"goal": Goal.BOOK, "office": "praha-cigankova", "visit_type": "ltr-new",
               "passport": "FE123456", **intent_changes}
    intent = dataclasses.replace(population(1, seed=1)[0], **changes)  # type: ignore[arg-type]
    caller = Caller(intent, texts=TEXTS)
    caller.accepted_offer = offer
    variables = {"IVR_RESULT": result, **({"IVR_FALLOUT_REASON": reason} if reason else {})}
    return CallRecord(intent=intent, caller=caller, variables=variables, lost_keys=[],
                      heard_ids=[], ended_at=100.0, gaps_s=[], agi_hung_up=True,
                      caller_hung_up=False)


WEDNESDAY_9_30 = Offer(weekday=3, day=date(2000, 12, 2), at=time(9, 30),
                       office="praha-cigankova")
BOOKING = {"reference": "47021382", "office": "praha-cigankova", "visit_type": "ltr-new",
           "starts_at": "2026-12-02T09:30:00+01:00", "status": "confirmed"}


def test_a_booking_of_the_intent_and_the_accepted_slot_is_contained() -> None:
    verdict = judge(record({}, offer=WEDNESDAY_9_30),
                    CallerOutcome([BOOKING], {"47021382": True}, None))
    assert (verdict.contained, verdict.wrong_booking, verdict.outcome) == (True, None,
                                                                          "contained")


@pytest.mark.parametrize(("booking", "identity", "offer", "wrong"), [
    ({"office": "praha-hladkov"}, True, WEDNESDAY_9_30, "office"),
    ({}, False, WEDNESDAY_9_30, "identity"),  # e.g. the letters keyed as 33…
    ({"starts_at": "2026-12-02T09:45:00+01:00"}, True, WEDNESDAY_9_30, "slot not accepted"),
    ({}, True, None, "slot not accepted"),
])
def test_a_booking_that_misses_the_intent_is_a_wrong_booking(
        booking: dict[str, str], identity: bool, offer: Offer | None, wrong: str) -> None:
    made = {**BOOKING, **booking}
    verdict = judge(record({}, offer=offer), CallerOutcome([made], {"47021382": identity}, None))
    assert not verdict.contained
    assert verdict.wrong_booking == wrong
    assert verdict.outcome == f"wrong:{wrong}"


def test_a_fall_out_is_not_contained_and_names_its_reason() -> None:
    verdict = judge(record({}, result="fallout", reason="no-input"),
                    CallerOutcome([], {}, None))
    assert not verdict.contained
    assert verdict.fallout == "no-input"
    assert verdict.why == "fallout:no-input@before any question"
    no_reason = judge(record({}, result="fallout"), CallerOutcome([], {}, None))
    assert no_reason.fallout == ""


def test_repeat_callers_are_judged_by_their_booking() -> None:
    cancel = record({"goal": Goal.CANCEL}, result="cancelled")
    assert judge(cancel, CallerOutcome([], {}, "cancelled"), BOOKING).contained
    keep = record({"goal": Goal.KEEP}, result="hangup")
    keep.caller.booking_heard = WEDNESDAY_9_30
    assert judge(keep, CallerOutcome([BOOKING], {}, "confirmed"), BOOKING).contained
    keep.caller.booking_heard = dataclasses.replace(WEDNESDAY_9_30, office="kladno")
    assert not judge(keep, CallerOutcome([BOOKING], {}, "confirmed"), BOOKING).contained


def test_an_operator_caller_is_served_not_contained() -> None:
    verdict = judge(record({"goal": Goal.OPERATOR}, result="fallout", reason="operator-request"),
                    CallerOutcome([], {}, None))
    assert (verdict.self_service, verdict.outcome) == (False, "served")


def test_a_burst_plays_each_key_at_its_offset_with_its_own_timestamp() -> None:
    packets = burst_packets(Burst("12#", (0.0, 0.12, 0.3)), first_press=4)
    tones = TONE_MS // 20
    assert len(packets) == 3 * (tones + 3)
    ends = [offset for offset, rtp in packets if rtp[13] & 0x80]  # the E bit of RFC 4733
    lead = TONE_MS / 1000  # the capture starts one tone before the first key ends
    assert ends[::3] == pytest.approx([lead, 0.12 + lead, 0.3 + lead])
    timestamps = [struct.unpack("!I", rtp[4:8])[0] for _, rtp in packets]
    sequences = [struct.unpack("!H", rtp[2:4])[0] for _, rtp in packets]
    assert timestamps[0] < timestamps[tones + 3] < timestamps[2 * (tones + 3)]
    assert len(set(sequences)) == len(sequences)
    assert struct.unpack("!I", packets[0][1][4:8])[0] == 16000 + 4 * 16000
    with pytest.raises(ValueError):
        Burst("12", (0.0, 0.03))  # closer than one tone


def test_bursts_of_a_caller_are_its_key_plans_before_the_call_ended() -> None:
    plans = [Plan("", (900.0,), 0.0, "-", "out of patience"),
             Plan("2", (7.5,), 7.0, "language", "its language"),
             Plan("123#", (20.0, 20.2, 20.5, 20.7), 19.0, "passport", "passport"),
             Plan("", (30.0,), 29.0, "office", "hangs up mid-call"),
             Plan("1", (40.0,), 39.0, "offer", "accept")]
    bursts, hangs_up = bursts_of(plans, ended_at=30.0)
    assert [burst.keys for burst in bursts] == ["2", "123#"]
    assert bursts[1].offsets_s == pytest.approx((0.0, 0.2, 0.5, 0.7))
    assert hangs_up
