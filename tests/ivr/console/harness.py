"""The whole operator side in one event loop, for console and browser tests.

A fake AMI peer (``tests.ivr.ami.fake_ami``), the real slot service on a copy of a seeded
PostgreSQL database (in-process through httpx's ASGITransport), and the console app — either
bare for httpx tests, or served by uvicorn on a free loopback port for the browser and for
server-sent events.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import uvicorn
from fastapi import FastAPI
from pydantic import SecretStr

from api.testing import DEV_TOKENS, client_for, prepared_app
from ivr.ami.bridge import AmiBridge
from ivr.ami.settings import AmiSettings
from ivr.console.app import create_console_app
from ivr.console.settings import ConsoleSettings
from ivr.slots.client import SlotClient
from tests.ivr.ami.fake_ami import FakeAmi

OPERATOR = "operator1"
PASSWORD = "operator1-dev-password"
INTERFACE = "PJSIP/operator1"


@dataclass
class ConsoleStack:
    fake_ami: FakeAmi
    bridge: AmiBridge
    slot_app: FastAPI
    console: FastAPI
    settings: ConsoleSettings

    def slot_service(self) -> httpx.AsyncClient:
        """The slot service as an operator sees it (to check bookings)."""
        return client_for(self.slot_app, DEV_TOKENS["operator"])

    def console_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.console),
                                 base_url="http://console.test")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def console_stack(
    server: str, template: str | None = None, *, run_bridge: bool = True
) -> AsyncIterator[ConsoleStack]:
    """The console on a fake AMI and the real slot service (``api.testing.prepared_app`` on
    the PostgreSQL ``server``, a copy of ``template`` if given)."""
    fake = await FakeAmi(secret="console-test-secret").start()
    ami_settings = AmiSettings(
        port=fake.port, secret=SecretStr(fake.secret), ping_interval_seconds=1.0,
        reconnect_initial_seconds=0.05, reconnect_max_seconds=0.2, action_timeout_seconds=2.0,
    )
    bridge = AmiBridge(ami_settings)
    settings = ConsoleSettings(keepalive_seconds=0.5)
    try:
        async with prepared_app(server, template=template, days=7) as slot_app:
            slots = SlotClient(base_url="http://slots.test", token=DEV_TOKENS["operator"],
                               timeout_seconds=10, transport=httpx.ASGITransport(app=slot_app))
            console = create_console_app(settings, bridge=bridge, slots=slots)
            task = asyncio.create_task(bridge.run()) if run_bridge else None
            try:
                if task is not None:
                    await asyncio.wait_for(bridge.connected.wait(), 5)
                yield ConsoleStack(fake, bridge, slot_app, console, settings)
            finally:
                await bridge.stop()
                if task is not None:
                    await asyncio.wait_for(task, 5)
                await slots.aclose()
    finally:
        await fake.close()


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn (lifespan off: the stack runs the bridge) and yield its URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off",
                                           log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:
                await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def push_waiting_caller(fake: FakeAmi, *, uniqueid: str = "1764270000.7",
                              number: str = "+420777123456", language: str = "uk",
                              office: str = "praha-zukovskeho", visit_type: str = "ltr-new",
                              reason: str = "no-slots") -> dict[str, object]:
    event: dict[str, object] = {
        "Event": "QueueCallerJoin", "Channel": f"PJSIP/caller-{uniqueid}",
        "CallerIDNum": number, "CallerIDName": "Олена", "Language": language,
        "Uniqueid": uniqueid, "Linkedid": uniqueid, "Queue": f"operators-{language}",
        "Position": "1", "Count": "1",
        "ChanVariable": [f"IVR_LANGUAGE={language}", f"IVR_OFFICE={office}",
                         f"IVR_VISIT_TYPE={visit_type}", f"IVR_FALLOUT_REASON={reason}"],
    }
    await fake.push(event)
    return event


async def push_operator_answers(fake: FakeAmi, join: dict[str, object],
                                interface: str = INTERFACE) -> None:
    common = {k: v for k, v in join.items() if k not in {"Event", "Position", "Count"}}
    await fake.push({"Event": "AgentCalled", **common, "Interface": interface,
                     "MemberName": "Operator 1"})
    await fake.push({"Event": "QueueCallerLeave", **common, "Position": "1", "Count": "0"})
    await fake.push({"Event": "AgentConnect", **common, "Interface": interface,
                     "HoldTime": "12", "RingTime": "3"})
