"""The operator bridge when its AMI connection drops and when Asterisk restarts.

With the production defaults of ``AmiSettings`` (only host, port and secret changed) the bridge
must be logged in again and hold a re-synced queue (QueueStatus, then Getvar for callers whose
IVR context it never saw) within 10 s of Asterisk accepting connections again. The fake AMI
server of tests/ivr/ami speaks the real framing; a restart is that server closed (connections
refused) and a new one on the same port with the state a restarted Asterisk has.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from pydantic import SecretStr

from ivr.ami.bridge import AmiBridge
from ivr.ami.settings import AmiSettings
from tests.ivr.ami.fake_ami import FakeAmi

RESYNC_LIMIT_S = 10.0
OUTAGE_S = 3.0


def production_settings(fake: FakeAmi) -> AmiSettings:
    return AmiSettings(port=fake.port, secret=SecretStr(fake.secret))


async def wait_until(predicate: Callable[[], bool], timeout: float) -> float:
    """Seconds until ``predicate`` held; TimeoutError past ``timeout``."""
    started = time.monotonic()
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.02)
    return time.monotonic() - started


def waiting(uniqueid: str, channel: str, queue: str = "operators-en") -> dict[str, str]:
    return {"Queue": queue, "Position": "1", "Channel": channel, "Uniqueid": uniqueid,
            "CallerIDNum": "+420600000009", "CallerIDName": "", "Wait": "12"}


async def test_a_dropped_connection_is_back_and_resynced_within_10_s() -> None:
    fake = await FakeAmi(queue_entries=[waiting("1.1", "PJSIP/caller-1")],
                         variables={"PJSIP/caller-1": {"IVR_OFFICE": "kladno"}}).start()
    bridge = AmiBridge(production_settings(fake))
    task = asyncio.create_task(bridge.run())
    try:
        await wait_until(lambda: "1.1" in bridge.state.callers, RESYNC_LIMIT_S)
        fake.queue_entries = [waiting("2.2", "PJSIP/caller-2", "operators-vi")]
        fake.variables = {"PJSIP/caller-2": {"IVR_OFFICE": "beroun", "IVR_LANGUAGE": "vi"}}
        fake.drop_connections()
        took = await wait_until(
            lambda: fake.logins >= 2 and "2.2" in bridge.state.callers, RESYNC_LIMIT_S
        )
    finally:
        await bridge.stop()
        await asyncio.wait_for(task, 5)
        await fake.close()
    print(f"\nAMI connection dropped: back and re-synced after {took:.2f} s")
    assert "1.1" not in bridge.state.callers  # gone from the queue while we were away
    assert bridge.state.callers["2.2"].context.office == "beroun"
    assert bridge.reconnects >= 1


async def test_asterisk_restarted_the_bridge_reconnects_and_resyncs_within_10_s() -> None:
    before = await FakeAmi(queue_entries=[waiting("1.1", "PJSIP/caller-1")],
                           variables={"PJSIP/caller-1": {"IVR_OFFICE": "kladno"}}).start()
    port = before.port
    bridge = AmiBridge(production_settings(before))
    task = asyncio.create_task(bridge.run())
    after: FakeAmi | None = None
    try:
        await wait_until(lambda: "1.1" in bridge.state.callers, RESYNC_LIMIT_S)
        await before.close()  # Asterisk stops: connection lost, then refused
        await wait_until(lambda: not bridge.connected.is_set(), 5.0)
        await asyncio.sleep(OUTAGE_S)
        assert not bridge.connected.is_set()
        after = await FakeAmi(
            port=port,
            queue_entries=[waiting("3.3", "PJSIP/caller-3", "operators-uk")],
            queue_members=[{"Queue": "operators-uk", "Name": "Olena",
                            "Location": "PJSIP/operator1", "Paused": "0", "InCall": "0"}],
            variables={"PJSIP/caller-3": {"IVR_LANGUAGE": "uk", "IVR_OFFICE": "kolin",
                                          "IVR_FALLOUT_REASON": "no-slots"}},
        ).start()
        restarted = after
        took = await wait_until(
            lambda: bridge.connected.is_set()
            and "3.3" in bridge.state.callers
            and bridge.state.callers["3.3"].context.office == "kolin",
            RESYNC_LIMIT_S,
        )
    finally:
        await bridge.stop()
        await asyncio.wait_for(task, 5)
        if after is not None:
            await after.close()
    print(f"\nAsterisk restarted after {OUTAGE_S} s: bridge back and re-synced after {took:.2f} s")
    assert restarted.logins == 1 and restarted.actions("QueueStatus")
    assert set(bridge.state.callers) == {"3.3"}  # the calls of the old Asterisk are gone
    assert ("operators-uk", "PJSIP/operator1") in bridge.state.members
