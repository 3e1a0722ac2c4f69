"""The timed fake Asterisk's rules are the sandbox Asterisk's: bench.callers.asterisk_probe
measures them on one real SIPp call, and each finding is checked against the constant or the
behaviour the fake uses (tests/fakes/timed_asterisk.py). An Asterisk upgrade that changes one
of them fails here, not silently in the containment figure."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.callers.asterisk_probe import DIGIT_S, RESPONSE_S, probe
from tests.fakes.timed_asterisk import (
    GET_DATA_BETWEEN_S,
    GET_DATA_FIRST_S,
    READ_DEFAULT_DIGIT_S,
    READ_DEFAULT_RESPONSE_S,
)

TOLERANCE_S = 0.15  # 20 ms audio frames, the AMI-free timing of one reply


@pytest.mark.asterisk
@pytest.mark.slow
def test_the_fakes_timing_rules_are_what_the_sandbox_asterisk_does(
        tmp_path: Path, sandbox_possible: None) -> None:
    found = asyncio.run(probe(tmp_path))
    # the channel's defaults, which Read uses when TIMEOUT() was not set
    assert found["default TIMEOUT(response)"] == f"1 ({READ_DEFAULT_RESPONSE_S:.3f})"
    assert found["default TIMEOUT(digit)"] == f"1 ({READ_DEFAULT_DIGIT_S:.3f})"
    # GET DATA without a timeout (or 0) ignores TIMEOUT(response)=3 and TIMEOUT(digit)=1
    for case in ("get_data_no_timeout_silent", "get_data_timeout_0_silent"):
        assert found[case]["reply"] == "200 result= (timeout)"
        assert found[case]["wait_after_prompt_s"] == pytest.approx(GET_DATA_FIRST_S,
                                                                   abs=TOLERANCE_S)
    one_key = found["get_data_no_timeout_one_key"]
    assert one_key["reply"] == "200 result=4 (timeout)"
    assert one_key["wait_after_key_s"] == pytest.approx(GET_DATA_BETWEEN_S, abs=TOLERANCE_S)
    # Read takes them from the channel, and says TIMEOUT even with digits entered
    assert found["read_silent"]["wait_after_prompt_s"] == pytest.approx(RESPONSE_S,
                                                                        abs=TOLERANCE_S)
    assert found["read_one_key"]["wait_after_key_s"] == pytest.approx(DIGIT_S, abs=TOLERANCE_S)
    assert (found["read_one_key"]["PROBE"], found["read_one_key"]["READSTATUS"]) == (
        "1 (7)", "1 (TIMEOUT)")
    # a key between two commands is lost; a key that is no escape digit does not stop the
    # prompt and is not kept for the next command
    assert found["key_between_commands"]["then_wait_for_digit"] == "200 result=0"
    non_escape = found["non_escape_key_during_stream"]
    assert non_escape["reply"].startswith("200 result=0 ")
    assert non_escape["played_s"] == pytest.approx(
        found["prompt_seconds"]["en/ivr/welcome"], abs=TOLERANCE_S)
    assert non_escape["then_wait_for_digit"] == "200 result=0"
    # keys 120 ms apart all arrive, in one GET DATA and across WAIT FOR DIGIT round trips
    assert found["fast_keys_one_get_data"]["reply"] == "200 result=12345678"
    assert [reply.split()[1] for reply in found["fast_keys_stream_then_wait"]["replies"]] == [
        "result=50", "result=52", "result=54", "result=56"]
    # Read with two prompts: a key during the first one answers it
    assert found["read_two_prompts_key_in_first"]["PROBE"] == "1 (3)"
