"""The operator console on a real call: SIPp calls the sandbox's Asterisk, the menu (a tiny
FastAGI handler) leaves the caller in `operators-uk`, the console's AMI bridge sees the caller,
an operator desk answers, the screen pops in headless Chromium and the operator books through
the real slot service (PostgreSQL).

The operator's "phone" is a Local channel into a context this test adds over AMI (`dialplan add
extension`, removed afterwards) that answers and waits, so no SIP phone has to register; it is
added to the queue with QueueAdd, exactly as the console's operators would be.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from ivr.agi.channel import AgiChannel
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.ami.bridge import AmiBridge
from ivr.ami.settings import AmiSettings
from ivr.console.app import create_console_app
from ivr.console.settings import ConsoleSettings, OperatorAccount
from ivr.slots.client import SlotClient
from tests.browser.support import book_first_slot, chromium_page, screenshot
from tests.e2e.ami import AmiWatcher, AmiWatchError
from tests.e2e.conftest import AMI_SECRET, AMI_USER, SlotService, caller_endpoint
from tests.e2e.sandbox import Sandbox, free_port
from tests.e2e.sipp import Caller, SipEndpoint, sipp_call, start_sipp
from tests.ivr.console.harness import served

pytestmark = pytest.mark.asterisk

DESK_CONTEXT = "ivr-test-operator-desk"
DESK = f"Local/1@{DESK_CONTEXT}/n"
OPERATOR_TOKEN = "operator-dev-token"


async def waiting_caller(number: str, *, target: SipEndpoint,
                         workdir: Path) -> asyncio.subprocess.Process:
    """Start SIPp as a caller who presses nothing and stays on the line until Asterisk hangs
    up (BYE). The SIPp process is returned, not checked: the tests decide how it must end
    (an Asterisk restart, for one, kills the call)."""
    caller = Caller(number=number, name=f"waiting-{number.lstrip('+')}")
    return (await start_sipp(caller, target=target, workdir=workdir)).process


async def ukrainian_caller_finds_no_slot(channel: AgiChannel) -> None:
    """The menu's end as the real flow leaves it on a fall-out (variables + IVR_RESULT)."""
    await channel.set_variable("CHANNEL(language)", "uk")
    for name, value in (("IVR_LANGUAGE", "uk"), ("IVR_OFFICE", "praha-zukovskeho"),
                        ("IVR_VISIT_TYPE", "ltr-new"), ("IVR_FALLOUT_REASON", "no-slots"),
                        ("IVR_RESULT", "fallout")):
        await channel.set_variable(name, value)


@pytest.fixture
async def fallout_menu(ami: AmiWatcher, sandbox: Sandbox) -> AsyncIterator[None]:
    """Route `booking` served by the project's FastAGI transport with the handler above; the
    dialplan's IVR_AGI_PORT points at it for this test and is restored afterwards."""
    server = FastAgiServer(settings=AgiSettings(port=0, routes={}),
                           routes={"booking": ukrainian_caller_finds_no_slot},
                           metrics=AgiMetrics(registry=CollectorRegistry()))
    await server.start()
    try:
        await ami.set_global("IVR_AGI_PORT", str(server.port))
        yield
    finally:
        await ami.set_global("IVR_AGI_PORT", str(sandbox.ports.agi))
        await server.shutdown()


@pytest.fixture
async def operator_desk(ami: AmiWatcher) -> AsyncIterator[str]:
    """A queue member that answers: Local channel into a context that answers and waits."""
    for priority, app in ((1, "Answer()"), (2, "Wait(120)")):
        await ami.action(Action="Command",
                         Command=f"dialplan add extension 1,{priority},{app} into {DESK_CONTEXT}")
    try:
        yield DESK
    finally:
        try:
            await ami.action(Action="QueueRemove", Queue="operators-uk", Interface=DESK)
        except AmiWatchError as exc:
            if "Not there" not in str(exc):  # never added: the test failed before QueueAdd
                raise
        finally:
            await ami.action(Action="Command", Command=f"dialplan remove context {DESK_CONTEXT}")


@pytest.fixture
async def desk_bridge(sandbox: Sandbox) -> AsyncIterator[AmiBridge]:
    """The console's AMI bridge on the session's Asterisk, logged in; stopped afterwards."""
    bridge = AmiBridge(AmiSettings(port=sandbox.ports.ami, username=AMI_USER,
                                   secret=SecretStr(AMI_SECRET)))
    task = asyncio.create_task(bridge.run())
    try:
        await asyncio.wait_for(bridge.connected.wait(), 10)
        yield bridge
    finally:
        await bridge.stop()
        await asyncio.wait_for(task, 10)


def desk_console(*, bridge: AmiBridge, slots: SlotClient, desk: str) -> FastAPI:
    """The console app with one operator account, "desk", whose phone is ``desk``."""
    settings = ConsoleSettings(operators={"desk": OperatorAccount(
        password=SecretStr("desk-password"), interface=desk, display_name="Desk")})
    return create_console_app(settings, bridge=bridge, slots=slots)


async def log_in_as_desk(page: Any, url: str) -> None:
    await page.goto(url)
    await page.fill("#username", "desk")
    await page.fill("#password", "desk-password")
    await page.click("#login-button")
    await page.wait_for_selector("#ami-status.up")


@pytest.mark.browser
async def test_real_call_waits_pops_the_screen_and_is_booked_in_the_console(
    ami: AmiWatcher, desk_bridge: AmiBridge, slot_service: SlotService, fallout_menu: None,
    operators_open: None, operator_desk: str, sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    number = "+420777100060"
    bridge = desk_bridge
    async with SlotClient(base_url=slot_service.url, token=OPERATOR_TOKEN,
                          timeout_seconds=10) as slots:
        console = desk_console(bridge=bridge, slots=slots, desk=operator_desk)
        async with served(console) as url, chromium_page() as page:
            await log_in_as_desk(page, url)
            sipp = await waiting_caller(number, target=sip_target, workdir=tmp_path)
            try:
                row = page.locator('.queue[data-language="uk"] tr.caller')
                await row.wait_for(timeout=20_000)
                text = await row.inner_text()
                assert number in text and "no-slots" in text
                await screenshot(page, "console-real-call-waiting")

                # through the bridge: panoramisk 1.4 takes QueueAdd's "Added interface to
                # queue" for the start of a list and never completes it unless as_list=False
                await bridge.action({"Action": "QueueAdd", "Queue": "operators-uk",
                                     "Interface": operator_desk, "MemberName": "Desk",
                                     "Paused": "false"}, as_list=False)
                await page.wait_for_selector("#screen-pop:not([hidden])", timeout=30_000)
                assert await page.input_value("#bk-caller-number") == number
                assert await page.input_value("#bk-language") == "uk"
                assert await page.input_value("#bk-office") == "praha-zukovskeho"
                assert await page.input_value("#bk-visit-type") == "ltr-new"
                await page.locator("#slot-list li.slot").first.wait_for()
                reference = await book_first_slot(page, passport="70605040",
                                                  birth_date="1985-11-30",
                                                  shot="console-real-call-booked")
                on_the_line = bridge.state.connected_to(operator_desk)
                assert on_the_line is not None and on_the_line.caller_number == number
                # the operator ends the call; SIPp expects Asterisk's BYE
                await bridge.action({"Action": "Hangup", "Channel": on_the_line.channel})
            except Exception:
                if sipp.returncode is None:
                    sipp.kill()
                await sipp.wait()
                raise
            _, stderr = await asyncio.wait_for(sipp.communicate(), 30)
            assert sipp.returncode == 0, f"SIPp: no clean BYE from Asterisk: {stderr[-500:]!r}"
            async with asyncio.timeout(10):  # today's figures count the call at hang-up
                while not bridge.state.figures.calls["uk"]:
                    await asyncio.sleep(0.05)
            figures = bridge.state.figures.as_dict()
            assert figures["fallout_reasons"] == {"no-slots": 1}
            assert figures["bookings_by_channel"] == {"phone": 0, "operator": 1}
            assert figures["answered_by_operator"] == 1
            await page.wait_for_selector("#screen-pop[hidden]", state="attached")
    async with httpx.AsyncClient(base_url=slot_service.url, timeout=10,
                                 headers={"Authorization": f"Bearer {OPERATOR_TOKEN}"}) as api:
        response = await api.get(f"/bookings/{reference}", params={"caller_number": number})
    assert response.status_code == 200, response.text
    booking = response.json()
    assert booking["channel"] == "operator" and booking["language"] == "uk"
    assert (booking["office"], booking["visit_type"]) == ("praha-zukovskeho", "ltr-new")
    connects = [e for e in ami.events
                if e.get("Event") == "AgentConnect" and e.get("CallerIDNum") == number]
    assert connects and connects[0]["Interface"] == operator_desk


async def test_bridge_started_late_resyncs_a_real_waiting_caller_with_queue_status(
    ami: AmiWatcher, sandbox: Sandbox, fallout_menu: None, operators_open: None,
    sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    """No event replay after a (re)connect: QueueStatus finds the caller, Getvar its context."""
    number = "+420777100061"
    sipp = await waiting_caller(number, target=sip_target, workdir=tmp_path)
    try:
        joined = await ami.wait_for(
            lambda e: e.get("Event") == "QueueCallerJoin" and e.get("CallerIDNum") == number,
            timeout_s=20, what="QueueCallerJoin")
        bridge = AmiBridge(AmiSettings(port=sandbox.ports.ami, username=AMI_USER,
                                       secret=SecretStr(AMI_SECRET)))
        task = asyncio.create_task(bridge.run())
        try:
            async with asyncio.timeout(10):
                while joined["Uniqueid"] not in bridge.state.callers or not (
                        bridge.state.callers[joined["Uniqueid"]].context.office):
                    await asyncio.sleep(0.05)
            caller = bridge.state.callers[joined["Uniqueid"]]
            await bridge.action({"Action": "Hangup", "Channel": caller.channel})
        finally:
            await bridge.stop()
            await asyncio.wait_for(task, 10)
    except Exception:
        if sipp.returncode is None:
            sipp.kill()
        await sipp.wait()
        raise
    await asyncio.wait_for(sipp.wait(), 30)
    assert caller.queue == "operators-uk" and caller.caller_number == number
    assert (caller.context.language, caller.context.office) == ("uk", "praha-zukovskeho")
    assert (caller.context.visit_type, caller.context.fallout_reason) == ("ltr-new", "no-slots")
    assert caller.joined_at <= bridge.clock()


def user_event(kind: str, **headers: str) -> Any:
    return lambda e: (e.get("Event") == "UserEvent" and e.get("UserEvent") == kind
                      and all(e.get(name) == value for name, value in headers.items()))


# A called-back caller whose line is busy: 486 to the INVITE.
BUSY_CALLEE = """<?xml version="1.0" encoding="ISO-8859-1" ?>
<scenario name="busy-callee">
  <recv request="INVITE"/>
  <send><![CDATA[
SIP/2.0 486 Busy Here
[last_Via:]
[last_From:]
[last_To:];tag=[pid]SIPpTag01[call_number]
[last_Call-ID:]
[last_CSeq:]
Content-Length: 0
]]></send>
  <recv request="ACK"/>
</scenario>
"""


async def callee(*, port: int, workdir: Path, busy: bool = False) -> asyncio.subprocess.Process:
    """SIPp on the sandbox trunk's contact for one call: its built-in UAS answers and awaits
    the BYE; a busy callee refuses with 486."""
    scenario = ["-sn", "uas"]
    if busy:
        (workdir / "busy-callee.xml").write_text(BUSY_CALLEE, encoding="ascii")
        scenario = ["-sf", str(workdir / "busy-callee.xml")]
    return await asyncio.create_subprocess_exec(
        "sipp", *scenario, "-i", "127.0.0.1", "-p", str(port),
        "-mi", "127.0.0.1", "-mp", str(free_port(socket.SOCK_DGRAM)),
        "-m", "1", "-nostdin", "-timeout", "60s", "-timeout_error",
        "-trace_err", "-error_file", str(workdir / "callee.errors.log"),
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE, cwd=workdir,
        env={**os.environ, "TERM": "dumb"},
    )


async def wait_for_sipp(process: asyncio.subprocess.Process) -> None:
    _, errors = await asyncio.wait_for(process.communicate(), 20)
    assert process.returncode == 0, f"SIPp: {errors[-500:]!r}"


async def ended(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
    await process.wait()


@pytest.mark.browser
async def test_real_callers_press_one_and_the_operator_calls_the_first_back_with_a_click(
    ami: AmiWatcher, sandbox: Sandbox, desk_bridge: AmiBridge,
    slot_service: SlotService, fallout_menu: None,
    operators_open: None, operator_desk: str, sip_target: SipEndpoint, tmp_path: Path,
) -> None:
    """Two waiting callers press 1 (dialplan [ivr-queue-exit]); the console lists both callbacks
    in order with their context; one click Originates the first: the desk (the operator's
    phone) answers, [ivr-callback] dials the caller through the trunk (whose contact is a SIPp
    callee that answers), the caller hangs up; the second caller's line is busy. The outcome of
    both steps (OriginateResponse, UserEvent IvrCallbackResult) is recorded and shown."""
    first, second = "+420777100062", "+420777100063"
    second_target = caller_endpoint(sandbox)
    bridge = desk_bridge
    for number, target in ((first, sip_target), (second, second_target)):
        caller = Caller(number=number, name=f"callback-{number[1:]}", keys="1",
                        await_hangup_s=30)
        async with sipp_call(caller, target=target, workdir=tmp_path) as call:
            await ami.wait_for(
                lambda e, n=number: (e.get("Event") == "QueueCallerJoin"
                                     and e.get("CallerIDNum") == n),
                timeout_s=20, what="QueueCallerJoin")
            await call.cue()  # 1 while waiting in operators-uk
            await ami.wait_for(user_event("IvrCallbackRequest", CallerIDNum=number),
                               timeout_s=10, what="UserEvent IvrCallbackRequest")
    async with SlotClient(base_url=slot_service.url, token=OPERATOR_TOKEN,
                          timeout_seconds=10) as slots:
        console = desk_console(bridge=bridge, slots=slots, desk=operator_desk)
        async with served(console) as url, chromium_page() as page:
            await log_in_as_desk(page, url)
            pending = page.locator("#callbacks li.callback")
            await pending.nth(1).wait_for()
            listed = [await pending.nth(i).inner_text() for i in range(2)]
            assert first in listed[0] and second in listed[1]
            assert " · uk · Prague, Žukovského street · " in listed[0]  # language, office
            assert "Long-term residence permit, new application" in listed[0]  # visit type
            await screenshot(page, "console-real-callbacks")
            assert not bridge.state.waiting_by_language().get("uk")  # they left the queue

            answering = await callee(port=sandbox.ports.trunk, workdir=tmp_path)
            try:
                await pending.first.locator("button").click()
                answered = await ami.wait_for(
                    lambda e: e.get("Event") == "DialEnd" and e.get("DialStatus") == "ANSWER"
                    and str(e.get("DestChannel", "")).startswith("PJSIP/trunk-"),
                    timeout_s=20, what="DialEnd ANSWER on the trunk")
                assert answered["DestCallerIDNum"] == first  # dialled the caller's number
                # the called-back caller hangs up (SIPp's uas waits for Asterisk's BYE)
                await ami.action(Action="Hangup", Channel=str(answered["DestChannel"]))
                await wait_for_sipp(answering)
            finally:
                await ended(answering)
            done = page.locator("#recent-callbacks li.callback.answered")
            await done.first.wait_for(timeout=20_000)
            shown = await done.first.inner_text()
            busy = await callee(port=sandbox.ports.trunk, workdir=tmp_path, busy=True)
            try:  # the second caller's line is busy
                await page.locator("#callbacks li.callback button").click()
                unreachable = page.locator("#recent-callbacks li.callback.failed")
                await unreachable.wait_for(timeout=20_000)
                failed_shown = await unreachable.inner_text()
                await wait_for_sipp(busy)
            finally:
                await ended(busy)
            await screenshot(page, "console-real-callback-outcome")
            assert await page.locator("#callbacks li.callback").count() == 0
    [called_back] = [c for c in bridge.state.callbacks.values() if c.caller_number == first]
    assert (called_back.context.language, called_back.context.office,
            called_back.context.visit_type) == ("uk", "praha-zukovskeho", "ltr-new")
    assert called_back.queue == "operators-uk" and called_back.operator_interface == operator_desk
    originated = await ami.wait_for(
        lambda e: e.get("Event") == "OriginateResponse"
        and str(e.get("ActionID", "")).startswith(f"ivr-callback-{called_back.callback_id}-"),
        timeout_s=1, what="OriginateResponse")
    assert originated["Response"] == "Success"  # the desk answered the operator's leg
    result = await ami.wait_for(
        user_event("IvrCallbackResult", CallbackId=str(called_back.callback_id)),
        timeout_s=1, what="UserEvent IvrCallbackResult")
    assert result["DialStatus"] == "ANSWER"
    assert called_back.status.value == "answered"
    assert called_back.outcome == "caller answer" and called_back.outcome in shown
    [not_reached] = [c for c in bridge.state.callbacks.values() if c.caller_number == second]
    assert not_reached.status.value == "failed" and second in failed_shown
    assert not_reached.outcome == "caller busy" and not_reached.outcome in failed_shown
    print(f"\ncallback outcomes: {called_back.outcome}; {not_reached.outcome}")
