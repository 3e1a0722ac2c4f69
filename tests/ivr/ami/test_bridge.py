from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path

import pytest
from pydantic import SecretStr

from ivr.ami.bridge import AmiBridge
from ivr.ami.errors import AmiActionFailed, AmiNotConnected, AmiTimeout
from ivr.ami.model import AgentConnected, CallbackStatus, CallerStatus, Change
from ivr.ami.settings import AmiSettings
from tests.ivr.ami.fake_ami import FakeAmi, load_transcript

TRANSCRIPTS = Path(__file__).parent / "transcripts"


def settings_for(fake: FakeAmi, **overrides: object) -> AmiSettings:
    values: dict[str, object] = {
        "port": fake.port,
        "secret": SecretStr(fake.secret),
        "ping_interval_seconds": 0.2,
        "ping_timeout_seconds": 0.2,
        "action_timeout_seconds": 0.5,
        "reconnect_initial_seconds": 0.05,
        "reconnect_max_seconds": 0.2,
    }
    values.update(overrides)
    return AmiSettings.model_validate(values)


async def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.01)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAmi]:
    server = await FakeAmi().start()
    yield server
    await server.close()


async def running(bridge: AmiBridge) -> asyncio.Task[None]:
    task = asyncio.create_task(bridge.run())
    await asyncio.wait_for(bridge.connected.wait(), 3)
    return task


async def shut(bridge: AmiBridge, task: asyncio.Task[None]) -> None:
    await bridge.stop()
    await asyncio.wait_for(task, 3)


async def test_recorded_answered_call_pops_the_screen_even_in_tiny_tcp_chunks(
    fake: FakeAmi,
) -> None:
    bridge = AmiBridge(settings_for(fake))
    published: list[Change] = []
    bridge.add_listener(lambda changes: published.extend(changes))
    task = await running(bridge)
    try:
        for frame in load_transcript(TRANSCRIPTS / "answered_call.ami"):
            await fake.push_raw(frame, chunk=7)  # splits the Cyrillic name between reads
        await wait_until(lambda: any(isinstance(c, AgentConnected) for c in published))
    finally:
        await shut(bridge, task)
    caller = bridge.state.connected_to("PJSIP/operator1")
    assert caller is not None
    assert caller.caller_name == "Олена"
    assert caller.status is CallerStatus.connected
    assert (caller.context.language, caller.context.office) == ("uk", "praha-cigankova")
    assert caller.context.fallout_reason == "no-slots"
    login = fake.actions("Login")[0]
    assert login["Username"] == "ivr" and login["Events"] == "call,agent,user"


async def test_wrong_secret_never_connects_and_retries_with_backoff(fake: FakeAmi) -> None:
    bridge = AmiBridge(settings_for(fake, secret=SecretStr("wrong")))
    task = asyncio.create_task(bridge.run())
    try:
        await wait_until(lambda: len(fake.actions("Login")) >= 3)
        assert not bridge.connected.is_set()
        assert fake.logins == 0
    finally:
        await shut(bridge, task)


async def test_disconnect_reconnects_and_resyncs_with_queue_status(fake: FakeAmi) -> None:
    bridge = AmiBridge(settings_for(fake))
    task = await running(bridge)
    try:
        await fake.push({
            "Event": "QueueCallerJoin", "Queue": "operators-en", "Channel": "PJSIP/caller-1",
            "Uniqueid": "1.1", "Linkedid": "1.1", "CallerIDNum": "+420600000001",
            "ChanVariable": ["IVR_LANGUAGE=en", "IVR_OFFICE=kladno", "IVR_VISIT_TYPE=ltr-new",
                             "IVR_FALLOUT_REASON=operator-request"],
            "Position": "1",
        })
        await wait_until(lambda: "1.1" in bridge.state.callers)
        # while we are away: caller 1.1 still waits, 2.2 joined, a member paused
        fake.queue_entries = [
            {"Queue": "operators-en", "Position": "1", "Channel": "PJSIP/caller-1",
             "Uniqueid": "1.1", "CallerIDNum": "+420600000001", "CallerIDName": "", "Wait": "40"},
            {"Queue": "operators-vi", "Position": "1", "Channel": "PJSIP/caller-2",
             "Uniqueid": "2.2", "CallerIDNum": "+420600000002", "CallerIDName": "", "Wait": "5"},
        ]
        fake.queue_members = [{"Queue": "operators-vi", "Name": "Binh",
                               "Location": "PJSIP/operator2", "Paused": "1", "InCall": "0"}]
        fake.variables = {"PJSIP/caller-2": {"IVR_LANGUAGE": "vi", "IVR_OFFICE": "beroun",
                                             "IVR_FALLOUT_REASON": "no-input"}}
        fake.drop_connections()
        await wait_until(lambda: fake.logins >= 2 and len(fake.actions("QueueStatus")) >= 2)
        await wait_until(lambda: bridge.state.callers.get("2.2") is not None
                         and bridge.state.callers["2.2"].context.office == "beroun")
    finally:
        await shut(bridge, task)
    assert bridge.reconnects >= 1
    kept = bridge.state.callers["1.1"]
    assert kept.context.office == "kladno"  # context survives the resync
    new = bridge.state.callers["2.2"]
    assert (new.context.language, new.context.fallout_reason) == ("vi", "no-input")
    assert bridge.state.members[("operators-vi", "PJSIP/operator2")].paused
    asked = {a["Variable"] for a in fake.actions("Getvar") if a["Channel"] == "PJSIP/caller-2"}
    assert {"IVR_OFFICE", "IVR_VISIT_TYPE", "IVR_FALLOUT_REASON"} <= asked
    assert not any(a["Channel"] == "PJSIP/caller-1" for a in fake.actions("Getvar"))


async def test_malformed_events_are_skipped_and_a_malformed_resync_reconnects(
    fake: FakeAmi, caplog: pytest.LogCaptureFixture,
) -> None:
    entry = {"Queue": "operators-en", "Position": "1", "Channel": "PJSIP/caller-1",
             "Uniqueid": "1.1", "CallerIDNum": "+420600000001", "CallerIDName": "", "Wait": "?"}
    fake.queue_entries = [entry]
    bridge = AmiBridge(settings_for(fake))
    task = asyncio.create_task(bridge.run())
    try:
        await wait_until(lambda: fake.logins >= 2)  # the re-sync failed: log in again
        assert not task.done() and "MalformedEvent" in caplog.text
        fake.queue_entries = [{**entry, "Wait": "40"}]
        await wait_until(lambda: "1.1" in bridge.state.callers)
        await fake.push({"Event": "QueueCallerJoin", "Queue": "operators-en", "Uniqueid": "2.2",
                         "Linkedid": "2.2", "Channel": "PJSIP/caller-2", "Position": "x"})
        await fake.push({"Event": "QueueCallerJoin", "Queue": "operators-en", "Uniqueid": "3.3",
                         "Linkedid": "3.3", "Channel": "PJSIP/caller-3", "Position": "2"})
        await wait_until(lambda: "3.3" in bridge.state.callers)
    finally:
        await shut(bridge, task)
    assert "2.2" not in bridge.state.callers
    assert "AMI event not understood" in caplog.text


async def test_unanswered_ping_is_a_dead_connection(fake: FakeAmi) -> None:
    bridge = AmiBridge(settings_for(fake, ping_interval_seconds=0.05, ping_timeout_seconds=0.1))
    seen: list[bool] = []
    bridge.add_listener(lambda changes: seen.append(bridge.connected.is_set()))
    task = await running(bridge)
    try:
        fake.answer_pings = False  # half-open: the socket stays, nothing answers
        await wait_until(lambda: fake.logins >= 2)
    finally:
        await shut(bridge, task)
    assert False in seen  # the console was told the bridge went down
    assert bridge.reconnects >= 1


async def test_actions_time_out_fail_and_refuse_without_connection(fake: FakeAmi) -> None:
    bridge = AmiBridge(settings_for(fake, ping_interval_seconds=30))
    with pytest.raises(AmiNotConnected):
        await bridge.action({"Action": "Ping"})
    task = await running(bridge)
    try:
        with pytest.raises(AmiActionFailed, match="Invalid/unknown command"):
            await bridge.action({"Action": "NoSuchAction"})
        fake.answer_pings = False
        with pytest.raises(AmiTimeout):
            await bridge.action({"Action": "Ping"}, timeout=0.1)
        assert await bridge.getvar("PJSIP/gone", "IVR_OFFICE") == ""
    finally:
        await shut(bridge, task)


async def test_pause_and_resume_send_queue_pause(fake: FakeAmi) -> None:
    bridge = AmiBridge(settings_for(fake))
    task = await running(bridge)
    try:
        await bridge.pause(interface="PJSIP/operator1", paused=True, reason="break")
        await bridge.pause(interface="PJSIP/operator1", paused=False)
    finally:
        await shut(bridge, task)
    first, second = fake.actions("QueuePause")
    assert (first["Interface"], first["Paused"], first["Reason"]) == (
        "PJSIP/operator1", "true", "break")
    assert second["Paused"] == "false" and "Reason" not in second


@pytest.mark.parametrize("answers", [True, False])
async def test_callback_originates_and_records_the_outcome(fake: FakeAmi, answers: bool) -> None:
    fake.originate_answers = answers
    bridge = AmiBridge(settings_for(fake))
    outcomes: list[Sequence[Change]] = []
    bridge.add_listener(outcomes.append)
    task = await running(bridge)
    try:
        await fake.push({
            "Event": "UserEvent", "UserEvent": "IvrCallbackRequest", "Channel": "PJSIP/caller-5",
            "Uniqueid": "5.5", "Linkedid": "5.5", "CallerIDNum": "+420777000555",
            "Queue": "operators-ru",
            "ChanVariable": ["IVR_LANGUAGE=ru", "IVR_OFFICE=kolin", "IVR_VISIT_TYPE=card-pickup"],
        })
        await wait_until(lambda: bool(bridge.state.pending_callbacks()))
        [callback] = bridge.state.pending_callbacks()
        await bridge.start_callback(callback_id=callback.callback_id, interface="PJSIP/operator1")
        await wait_until(
            lambda: bridge.state.callbacks[callback.callback_id].status
            is not CallbackStatus.dialing
        )
    finally:
        await shut(bridge, task)
    [originate] = fake.actions("Originate")
    assert originate["Channel"] == "PJSIP/operator1"
    assert originate["Exten"] == "+420777000555" and originate["Context"] == "ivr-callback"
    assert "IVR_OFFICE=kolin" in originate["Variable"]
    done = bridge.state.callbacks[callback.callback_id]
    expected = CallbackStatus.answered if answers else CallbackStatus.failed
    assert done.status is expected
    assert bridge.state.pending_callbacks() == []


async def test_stop_ends_run_at_once_while_an_action_waits_for_its_reply() -> None:
    stuck = await FakeAmi(unanswered_actions=frozenset({"queuestatus"})).start()
    try:
        bridge = AmiBridge(settings_for(stuck, action_timeout_seconds=30.0))
        task = asyncio.create_task(bridge.run())
        await wait_until(lambda: bool(stuck.actions("QueueStatus")))
        await bridge.stop()
        await asyncio.wait_for(task, 1.0)  # not the 30 s of the action's timeout
        assert task.done() and not task.cancelled()
    finally:
        await stuck.close()


async def test_stop_ends_run_at_once_during_the_reconnect_back_off(fake: FakeAmi) -> None:
    bridge = AmiBridge(settings_for(fake, reconnect_initial_seconds=30.0,
                                    reconnect_max_seconds=30.0))
    task = await running(bridge)
    fake.drop_connections()
    await wait_until(lambda: not bridge.connected.is_set())
    await bridge.stop()
    await asyncio.wait_for(task, 1.0)
    assert not task.cancelled()
