"""The dialplan's own paths, proven on the real Asterisk: what happens around the booking flow.

Here the FastAGI side is either absent (issue 5, test 5: the server is down) or a tiny handler
of the test's own that ends the menu the way the real flow does (variables + IVR_RESULT), so
that the dialplan's fall-out, operator-hours and hang-up paths are checked on their own.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import CollectorRegistry

from ivr.agi.channel import AgiChannel
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.operator_hours import IVR_PUBLIC_HOLIDAY, OperatorHoursRoute
from tests.e2e.ami import AmiWatcher, Event, channel_variables
from tests.e2e.sandbox import Sandbox
from tests.e2e.sipp import Caller, PromptClock, SipEndpoint, sipp_call

pytestmark = pytest.mark.asterisk

Handler = Callable[[AgiChannel], Awaitable[None]]
PointAgiTo = Callable[[int], Awaitable[None]]
ServeFlow = Callable[..., Awaitable[None]]
PRAGUE = ZoneInfo("Europe/Prague")
# the test servers' default day for the route operator-hours: a working day, so that the
# tests of the other paths do not depend on the day they run
A_WORKING_DAY = date(2026, 12, 23)


def at_ten(day: date) -> Callable[[], datetime]:
    return lambda: datetime.combine(day, time(10), tzinfo=PRAGUE)


def joined_queue(number: str) -> Callable[[Event], bool]:
    return lambda e: e.get("Event") == "QueueCallerJoin" and e.get("CallerIDNum") == number


def played(number: str, sound: str) -> Callable[[Event], bool]:
    return lambda e: (e.get("Event") == "Newexten" and e.get("CallerIDNum") == number
                      and e.get("Application") == "Playback" and e.get("AppData") == sound)


def var_set(number: str, name: str, value: str) -> Callable[[Event], bool]:
    return lambda e: (e.get("Event") == "VarSet" and e.get("CallerIDNum") == number
                      and e.get("Variable") == name and e.get("Value") == value)


@pytest.fixture
async def agi_port(ami: AmiWatcher, sandbox: Sandbox) -> AsyncIterator[PointAgiTo]:
    """Point the dialplan's IVR_AGI_PORT elsewhere for one test; restored afterwards."""

    async def point_to(port: int) -> None:
        await ami.set_global("IVR_AGI_PORT", str(port))

    yield point_to
    await ami.set_global("IVR_AGI_PORT", str(sandbox.ports.agi))


@pytest.fixture
async def tiny_flow(agi_port: PointAgiTo) -> AsyncIterator[ServeFlow]:
    """Serve route `booking` with a handler of the test's own, through the project's transport,
    and the project's route `operator-hours` with its clock on ``day`` (default: a working day)."""
    servers: list[FastAgiServer] = []

    async def serve(handler: Handler, *, day: date = A_WORKING_DAY) -> None:
        metrics = AgiMetrics(registry=CollectorRegistry())
        routes = {"booking": handler, "operator-hours": OperatorHoursRoute(clock=at_ten(day))}
        server = FastAgiServer(settings=AgiSettings(port=0, routes={}),
                               routes=routes, metrics=metrics)
        await server.start()
        servers.append(server)
        await agi_port(server.port)

    yield serve
    for server in servers:
        await server.shutdown()


async def test_fastagi_server_down_caller_hears_apology_and_is_queued(
    ami: AmiWatcher, agi_port: PointAgiTo, operators_open: None,
    sip_target: SipEndpoint, prompt_clock: PromptClock, tmp_path: Path,
) -> None:
    number = "+420777100005"
    with socket.socket() as refusing:  # bound, never listening: connections are refused
        refusing.bind(("127.0.0.1", 0))
        await agi_port(refusing.getsockname()[1])
        apology_s = prompt_clock.seconds("cs", "service-error") + prompt_clock.seconds(
            "en", "service-error")
        caller = Caller(number=number, name="fastagi-down", hang_up_on_cue=True)
        async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
            joined = await ami.wait_for(joined_queue(number), timeout_s=apology_s + 15,
                                        what="QueueCallerJoin")
            await call.cue()
    assert joined["Queue"] == "operators-cs"
    assert channel_variables(joined)["IVR_FALLOUT_REASON"] == "service-error"
    assert channel_variables(joined)["IVR_LANGUAGE"] == "cs"
    events = ami.events
    assert any(var_set(number, "AGISTATUS", "FAILURE")(e) for e in events)
    # the apology really played (the file exists in the sandbox), in Czech then English
    apologies = [e for e in events if played(number, "cs/ivr/service-error")(e)
                 or played(number, "en/ivr/service-error")(e)]
    assert [e["AppData"] for e in apologies] == ["cs/ivr/service-error", "en/ivr/service-error"]
    assert any(var_set(number, "PLAYBACKSTATUS", "SUCCESS")(e) for e in events)
    assert not any(var_set(number, "PLAYBACKSTATUS", "FAILED")(e) for e in events)


async def test_fallout_variables_reach_the_operators_queue_over_ami(
    ami: AmiWatcher, tiny_flow: ServeFlow, operators_open: None,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = "+420777100010"

    async def russian_caller_wants_an_operator(channel: AgiChannel) -> None:
        await channel.set_variable("CHANNEL(language)", "ru")
        for name, value in (("IVR_LANGUAGE", "ru"), ("IVR_OFFICE", "kladno"),
                            ("IVR_VISIT_TYPE", "biometrics"),
                            ("IVR_FALLOUT_REASON", "operator-request"),
                            ("IVR_RESULT", "fallout")):
            await channel.set_variable(name, value)

    await tiny_flow(russian_caller_wants_an_operator)
    caller = Caller(number=number, name="fallout-ru", hang_up_on_cue=True)
    async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
        joined = await ami.wait_for(joined_queue(number), timeout_s=10, what="QueueCallerJoin")
        await call.cue()
    assert joined["Queue"] == "operators-ru"
    assert joined["Language"] == "ru"
    assert channel_variables(joined) == {
        "IVR_LANGUAGE": "ru", "IVR_OFFICE": "kladno", "IVR_VISIT_TYPE": "biometrics",
        "IVR_FALLOUT_REASON": "operator-request", "IVR_RESULT": "fallout",
    }
    left = await ami.wait_for(
        lambda e: e.get("Event") == "QueueCallerAbandon" and e.get("CallerIDNum") == number,
        timeout_s=5, what="QueueCallerAbandon")
    assert left["Queue"] == "operators-ru"


async def test_outside_operator_hours_caller_hears_when_and_returns_to_the_keypad_menu(
    ami: AmiWatcher, tiny_flow: ServeFlow,
    sip_target: SipEndpoint, prompt_clock: PromptClock, tmp_path: Path,
) -> None:
    number = "+420777100011"
    tomorrow = (datetime.now(ZoneInfo("Europe/Prague")) + timedelta(days=1)).strftime("%a")
    hours = await ami.action(Action="Getvar", Variable="IVR_OPERATOR_HOURS")
    await ami.set_global("IVR_OPERATOR_HOURS", f"*,{tomorrow.lower()},*,*,Europe/Prague")
    menus_run = 0

    async def english_caller_presses_zero(channel: AgiChannel) -> None:
        nonlocal menus_run
        menus_run += 1
        await channel.set_variable("IVR_LANGUAGE", "en")
        await channel.set_variable("IVR_FALLOUT_REASON", "operator-request")
        await channel.set_variable("IVR_RESULT", "fallout")

    try:
        await tiny_flow(english_caller_presses_zero)
        closed_s = prompt_clock.seconds("en", "operators-closed", "goodbye")
        caller = Caller(number=number, name="operators-closed", await_hangup_s=2 * closed_s + 10)
        async with sipp_call(caller, target=sip_target, workdir=tmp_path):
            pass  # Asterisk hangs up after goodbye
    finally:
        await ami.set_global("IVR_OPERATOR_HOURS", hours["Value"])
    assert menus_run == 2  # the keypad menu again once (IVR_CLOSED_RETURNS=1), then goodbye
    sounds = [e["AppData"] for e in ami.events
              if e.get("Event") == "Newexten" and e.get("CallerIDNum") == number
              and e.get("Application") == "Playback"]
    assert sounds == ["en/ivr/operators-closed", "en/ivr/operators-closed", "en/ivr/goodbye"]
    assert not any(joined_queue(number)(e) for e in ami.events)


@pytest.mark.parametrize("result", ["booked", "cancelled"])
async def test_a_finished_booking_or_cancellation_ends_the_call(
    result: str, ami: AmiWatcher, tiny_flow: ServeFlow,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = f"+42077710002{len(result)}"

    async def flow_finished(channel: AgiChannel) -> None:
        await channel.set_variable("IVR_RESULT", result)

    await tiny_flow(flow_finished)
    caller = Caller(number=number, name=f"finished-{result}", await_hangup_s=10)
    async with sipp_call(caller, target=sip_target, workdir=tmp_path):
        pass  # the caller waits for Asterisk to hang up
    assert not any(joined_queue(number)(e) for e in ami.events)


async def test_a_waiting_caller_presses_one_to_be_called_back(
    ami: AmiWatcher, tiny_flow: ServeFlow, operators_open: None,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = "+420777100012"

    async def czech_caller_wants_an_operator(channel: AgiChannel) -> None:
        for name, value in (("IVR_LANGUAGE", "cs"), ("IVR_FALLOUT_REASON", "operator-request"),
                            ("IVR_RESULT", "fallout")):
            await channel.set_variable(name, value)

    await tiny_flow(czech_caller_wants_an_operator)
    caller = Caller(number=number, name="callback-request", keys="1", await_hangup_s=30)
    async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
        await ami.wait_for(joined_queue(number), timeout_s=10, what="QueueCallerJoin")
        await call.cue()  # 1 while waiting with music on hold
        request = await ami.wait_for(
            lambda e: (e.get("Event") == "UserEvent" and e.get("CallerIDNum") == number
                       and e.get("UserEvent") == "IvrCallbackRequest"),
            timeout_s=10, what="UserEvent IvrCallbackRequest")
    # the caller heard callback-registered and Asterisk hung up (SIPp awaited the BYE)
    assert request["Queue"] == "operators-cs"
    assert channel_variables(request)["IVR_LANGUAGE"] == "cs"
    assert channel_variables(request)["IVR_RESULT"] == "callback"
    assert any(played(number, "cs/ivr/callback-registered")(e) for e in ami.events)


@pytest.mark.parametrize(("day", "holiday"), [
    (date(2026, 12, 24), True),  # Christmas Eve, a Thursday
    (date(2026, 5, 1), True),  # Labour Day, a Friday
    (date(2026, 12, 23), False),  # a working Wednesday: the same hours, operators open
])
async def test_on_a_public_holiday_operators_are_closed_whatever_the_hours_say(
    day: date, holiday: bool, ami: AmiWatcher, tiny_flow: ServeFlow, operators_open: None,
    sip_target: SipEndpoint, prompt_clock: PromptClock, tmp_path: Path,
) -> None:
    """The hours cover every moment (operators_open); only the holiday calendar of
    api.calendar, asked through the route operator-hours, closes the operators."""
    number = f"+42077710003{day.day % 10}"

    async def english_caller_presses_zero(channel: AgiChannel) -> None:
        for name, value in (("IVR_LANGUAGE", "en"), ("IVR_FALLOUT_REASON", "operator-request"),
                            ("IVR_RESULT", "fallout")):
            await channel.set_variable(name, value)

    await tiny_flow(english_caller_presses_zero, day=day)
    if holiday:
        closed_s = prompt_clock.seconds("en", "operators-closed", "goodbye")
        caller = Caller(number=number, name=f"holiday-{day}", await_hangup_s=2 * closed_s + 10)
        async with sipp_call(caller, target=sip_target, workdir=tmp_path):
            pass  # Asterisk hangs up after goodbye
    else:
        caller = Caller(number=number, name=f"working-{day}", hang_up_on_cue=True)
        async with sipp_call(caller, target=sip_target, workdir=tmp_path) as call:
            await ami.wait_for(joined_queue(number), timeout_s=10, what="QueueCallerJoin")
            await call.cue()
    expected = "yes" if holiday else "no"
    assert any(var_set(number, IVR_PUBLIC_HOLIDAY, expected)(e) for e in ami.events)
    assert any(var_set(number, "IVR_OPERATORS_OPEN", "no" if holiday else "yes")(e)
               for e in ami.events)
    sounds = [e["AppData"] for e in ami.events
              if e.get("Event") == "Newexten" and e.get("CallerIDNum") == number
              and e.get("Application") == "Playback"]
    if holiday:
        assert sounds == ["en/ivr/operators-closed", "en/ivr/operators-closed", "en/ivr/goodbye"]
        assert not any(joined_queue(number)(e) for e in ami.events)
    else:
        assert "en/ivr/operators-closed" not in sounds
