"""The operator bridge against a real Asterisk that restarts, or whose AMI connection drops.

Each test starts a private Asterisk instance of the sandbox (own ports, own configuration and
log tree in the shared chroot) and restarts or cuts only that one: the session's instance of the
end-to-end tests is never touched. The dialplan's FastAGI port points at nothing, so a SIPp
caller hears the apology and waits in ``operators-cs`` with the fall-out reason
``service-error``: a real queue entry with a real IVR context.

With the production defaults of ``AmiSettings`` (only port and credentials set) the bridge must
be logged in again and hold a re-synced queue within 10 s of Asterisk accepting connections.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import SecretStr

from ivr.ami.bridge import AmiBridge
from ivr.ami.model import Change, QueuedCaller, Resynced
from ivr.ami.settings import AmiSettings
from tests.e2e.ami import AmiAddress, AmiWatcher
from tests.e2e.conftest import AMI_SECRET, AMI_USER, caller_endpoint, sandbox_prerequisites
from tests.e2e.sandbox import Sandbox, SandboxPorts
from tests.e2e.test_operator_console import waiting_caller
from tests.faults.tcp_relay import TcpRelay
from tests.faults.test_ami_restart import RESYNC_LIMIT_S, wait_until

pytestmark = pytest.mark.asterisk

__all__ = ["sandbox_prerequisites"]  # the e2e fixture, used here by name

APOLOGY_AND_JOIN_S = 30.0


@pytest.fixture
def private_asterisk(sandbox_prerequisites: None, tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox instance of this test's own; its RTP range is apart from the session's."""
    picked = SandboxPorts.pick()
    ports = replace(picked, rtp_start=20000 + ((os.getpid() + 200) % 400) * 100)
    env_file = tmp_path / "asterisk.env"
    env_file.write_text("")
    box = Sandbox(ports=ports, env_file=env_file, instance=f"fault-ami-{os.getpid()}")
    box.run("start")
    try:
        yield box
    finally:
        box.run("stop", timeout_s=120)


@pytest.fixture
async def callers(private_asterisk: Sandbox,
                  tmp_path: Path) -> AsyncIterator[Callable[[str], Awaitable[None]]]:
    """Start SIPp callers who stay on the line; whatever still runs is killed at the end."""
    processes: list[asyncio.subprocess.Process] = []

    async def call(number: str) -> None:
        workdir = tmp_path / number[1:]
        workdir.mkdir()
        processes.append(await waiting_caller(number, target=caller_endpoint(private_asterisk),
                                              workdir=workdir))

    yield call
    for process in processes:
        if process.returncode is None:
            process.kill()
        await process.wait()


def ami_of(box: Sandbox) -> AmiWatcher:
    return AmiWatcher(address=AmiAddress(host="127.0.0.1", port=box.ports.ami,
                                         username=AMI_USER, secret=AMI_SECRET))


async def open_operators(watcher: AmiWatcher) -> None:
    """Operator hours cover now (a restarted Asterisk has its example hours again)."""
    await watcher.set_global("IVR_OPERATOR_HOURS", "*,*,*,*")


async def joined(watcher: AmiWatcher, number: str) -> dict[str, object]:
    return await watcher.wait_for(
        lambda e: e.get("Event") == "QueueCallerJoin" and e.get("CallerIDNum") == number,
        timeout_s=APOLOGY_AND_JOIN_S, what=f"QueueCallerJoin of {number}")


def caller_numbered(bridge: AmiBridge, number: str) -> QueuedCaller | None:
    return next((c for c in bridge.state.callers.values() if c.caller_number == number), None)


def known_with_context(bridge: AmiBridge, number: str) -> bool:
    caller = caller_numbered(bridge, number)
    return caller is not None and caller.context.fallout_reason == "service-error"


class ResyncLog:
    """Monotonic times at which the bridge published a finished QueueStatus re-sync."""

    def __init__(self, bridge: AmiBridge) -> None:
        self.times: list[float] = []
        bridge.add_listener(self)

    def __call__(self, changes: Sequence[Change]) -> None:
        if any(isinstance(change, Resynced) for change in changes):
            self.times.append(time.monotonic())

    def since(self, moment: float) -> bool:
        return any(at >= moment for at in self.times)


@pytest.fixture
async def running() -> AsyncIterator[Callable[[AmiBridge], None]]:
    bridges: list[tuple[AmiBridge, asyncio.Task[None]]] = []

    def run(bridge: AmiBridge) -> None:
        bridges.append((bridge, asyncio.create_task(bridge.run())))

    yield run
    for bridge, task in bridges:
        await bridge.stop()
        await asyncio.wait_for(task, 10)


async def test_real_asterisk_restarted_the_bridge_is_back_and_resynced_within_10_s(
    private_asterisk: Sandbox, callers: Callable[[str], Awaitable[None]],
    running: Callable[[AmiBridge], None],
) -> None:
    before, after = "+420777100070", "+420777100071"
    bridge = AmiBridge(AmiSettings(port=private_asterisk.ports.ami, username=AMI_USER,
                                   secret=SecretStr(AMI_SECRET)))
    resyncs = ResyncLog(bridge)
    running(bridge)
    async with ami_of(private_asterisk) as watcher:
        await open_operators(watcher)
        await callers(before)
        await joined(watcher, before)
    await wait_until(lambda: known_with_context(bridge, before), 5.0)

    restart = asyncio.create_task(asyncio.to_thread(private_asterisk.run, "restart"))
    await wait_until(lambda: not bridge.connected.is_set(), 15.0)
    await restart
    back = time.monotonic()  # the script returns once the new Asterisk is fully booted
    took = await wait_until(lambda: bridge.connected.is_set() and resyncs.since(back),
                            RESYNC_LIMIT_S)
    print(f"\nreal Asterisk restarted: bridge back and re-synced after {took:.2f} s")
    assert bridge.state.callers == {}  # the old Asterisk's caller went with it
    assert bridge.reconnects >= 1

    async with ami_of(private_asterisk) as watcher:  # and the bridge follows the new Asterisk
        await open_operators(watcher)
        await callers(after)
        await joined(watcher, after)
    await wait_until(lambda: known_with_context(bridge, after), 5.0)
    caller = caller_numbered(bridge, after)
    assert caller is not None and caller.queue == "operators-cs"
    assert caller.context.language == "cs"


async def test_real_ami_connection_dropped_the_queue_is_resynced_within_10_s(
    private_asterisk: Sandbox, callers: Callable[[str], Awaitable[None]],
    running: Callable[[AmiBridge], None],
) -> None:
    """While the connection is down one caller hangs up and another joins: the bridge sees
    neither event, only the QueueStatus (and Getvar) of its re-sync can set it right."""
    gone, new = "+420777100072", "+420777100073"
    relay = await TcpRelay(target_port=private_asterisk.ports.ami).start()
    bridge = AmiBridge(AmiSettings(port=relay.port, username=AMI_USER,
                                   secret=SecretStr(AMI_SECRET)))
    resyncs = ResyncLog(bridge)
    running(bridge)
    try:
        async with ami_of(private_asterisk) as watcher:
            await open_operators(watcher)
            await callers(gone)
            entry = await joined(watcher, gone)
            await wait_until(lambda: known_with_context(bridge, gone), 5.0)

            await relay.cut()
            await wait_until(lambda: not bridge.connected.is_set(), 5.0)
            await watcher.action(Action="Hangup", Channel=str(entry["Channel"]))
            await callers(new)
            await joined(watcher, new)
            assert known_with_context(bridge, gone) and caller_numbered(bridge, new) is None

            restored = time.monotonic()
            await relay.restore()
            took = await wait_until(
                lambda: resyncs.since(restored) and known_with_context(bridge, new),
                RESYNC_LIMIT_S)
    finally:
        await relay.close()
    print(f"\nreal AMI connection dropped: bridge back and re-synced after {took:.2f} s")
    assert caller_numbered(bridge, gone) is None
    caller = caller_numbered(bridge, new)
    assert caller is not None and caller.context.language == "cs"
    assert caller.queue == "operators-cs" and bridge.reconnects >= 1
