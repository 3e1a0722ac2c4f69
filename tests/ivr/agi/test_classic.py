"""The classic AGI entry point run as Asterisk runs it: a subprocess on stdin/stdout."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.fakes.fake_asterisk import HangUp, Press, Silence, run_classic_agi

REPO = Path(__file__).resolve().parents[3]
CLASSIC = [sys.executable, "-m", "ivr.agi.classic"]
ROUTES = {
    "probe": "tests.ivr.agi.sample_routes:create_probe_handler",
    "crash": "tests.ivr.agi.sample_routes:create_crashing_handler",
}
ENV = {"IVR_AGI_ROUTES": json.dumps(ROUTES), "PYTHONPATH": str(REPO)}


async def test_classic_agi_runs_a_route_and_keeps_get_data_timeout_apart_from_hash() -> None:
    transcript, returncode, stderr = await run_classic_agi(
        CLASSIC,
        args=["probe", "extra"],
        caller=[Press("2"), Press("123"), Silence(), Press("#"), Press("1")],
        env=ENV,
    )
    assert returncode == 0, stderr.decode()
    assert transcript.variables["SEEN_SCRIPT_ARGS"] == "probe,extra"
    assert transcript.variables["SEEN_KEY"] == "2"
    assert transcript.variables["SEEN_SILENCE"] == "123/True"  # pyst2 alone would say ''
    assert transcript.variables["SEEN_HASH"] == "/False"
    assert transcript.variables["IVR_RESULT"] == "booked"


async def test_classic_agi_sighup_is_a_hangup() -> None:
    transcript, returncode, stderr = await run_classic_agi(
        CLASSIC, args=["probe"], caller=[Press("1"), HangUp(between_commands=True)], env=ENV
    )
    assert returncode == 0, stderr.decode()
    assert transcript.caller_hung_up
    assert transcript.variables["IVR_RESULT"] == "hangup"
    assert b"hung up" in stderr


async def test_classic_agi_hangup_during_a_prompt() -> None:
    transcript, returncode, _ = await run_classic_agi(
        CLASSIC, args=["probe"], caller=[HangUp()], env=ENV
    )
    assert returncode == 0
    assert transcript.variables["IVR_RESULT"] == "hangup"


async def test_classic_agi_error_boundary_logs_and_leaves_the_channel_alone() -> None:
    transcript, returncode, stderr = await run_classic_agi(CLASSIC, args=["crash"], env=ENV)
    assert returncode == 0
    assert transcript.set_variables == []  # IVR_RESULT is the flow's business
    assert b"flow bug in classic AGI" in stderr


async def test_classic_agi_unknown_route_exits_1_with_the_routes_it_knows() -> None:
    transcript, returncode, stderr = await run_classic_agi(CLASSIC, args=["nowhere"], env=ENV)
    assert returncode == 1  # AGISTATUS=FAILURE: the dialplan's failure path
    assert transcript.commands == []
    assert b"no route 'nowhere' (routes given: crash, probe)" in stderr


async def test_classic_agi_without_a_route_is_a_usage_error() -> None:
    transcript, returncode, stderr = await run_classic_agi(CLASSIC, args=[], env=ENV)
    assert returncode == 2 and transcript.commands == []
    assert b"usage: ivr-agi-classic <route>" in stderr


async def test_classic_agi_knows_no_route_of_its_own() -> None:
    env = {"PYTHONPATH": str(REPO), "IVR_AGI_ROUTES": "{}"}
    _, returncode, stderr = await run_classic_agi(CLASSIC, args=["booking"], env=env)
    assert returncode == 1
    assert b"no route 'booking' (routes given: none)" in stderr


async def test_classic_agi_masks_caller_numbers_in_its_log() -> None:
    number = "+420777123456"  # a route named like a caller number lands in the error log
    transcript, returncode, stderr = await run_classic_agi(CLASSIC, args=[number], env=ENV)
    assert returncode == 1 and transcript.commands == []
    assert b"ivr-agi-classic" in stderr and b"+*********456" in stderr
    assert b"420777123" not in stderr


async def test_console_script_is_installed_with_the_booking_route_and_the_settings_routes() -> None:
    script = Path(sys.executable).parent / "ivr-agi-classic"
    transcript, returncode, stderr = await run_classic_agi([str(script)], args=["crash"], env=ENV)
    assert returncode == 0, stderr.decode()
    assert transcript.played == ["en/ivr/welcome"]
    _, returncode, stderr = await run_classic_agi([str(script)], args=["nowhere"], env=ENV)
    assert returncode == 1
    assert b"(routes given: booking, crash, notice, operator-hours, probe)" in stderr
