"""The slot service killed (SIGKILL) while calls are in progress.

The slot service runs as its own process (``slot-service serve`` on a copy of today's template
database); the FastAGI server, the flow and the slot client run here; fake Asterisk callers are
stopped at different points of the booking (the welcome, the passport prompt, the read-back,
the slot offer, a seat held) until the service is killed. Each must then hear the apology
(``service-error``) and be handed to the dialplan for an operator with reason service-error,
within 5 s of the kill.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from api.testing import DEV_TOKENS
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.flow.runner import build_booking_runner
from ivr.flow.settings import FlowSettings
from ivr.slots import SlotClient
from tests.fakes.fake_asterisk import FakeAsterisk, Press, Silence, Transcript, agi_environment
from tests.ivr.flow.http_slots import free_port
from tests.support.services import fresh_database

APOLOGY_LIMIT_S = 5.0
STOP_POINTS = ("cs/ivr/welcome", "passport-prompt", "readback-passport", "slot-offer")
CALLS_PER_POINT = 2


class GatedAsterisk(FakeAsterisk):
    """A fake Asterisk whose caller waits at the first command naming ``stop_at`` until the
    gate opens, as if still listening to that prompt."""

    def __init__(self, *, stop_at: str, gate: asyncio.Event, **options: object) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.stop_at, self.gate = stop_at, gate
        self.waiting = asyncio.Event()
        self.finished_at = 0.0

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(agi_environment(network_script="booking", request="agi://fake/booking",
                                     language="cs", callerid=self._callerid))
        self.simulator.start()
        await writer.drain()
        stopped = False
        while True:
            line = await asyncio.wait_for(reader.readline(), self._timeout)
            if not line:
                break
            text = line.decode("utf-8", "replace").rstrip("\n")
            if not stopped and self.stop_at in text:
                stopped = True
                self.waiting.set()
                await self.gate.wait()
            replies = self.simulator.handle(text)
            writer.write("".join(f"{reply}\n" for reply in replies).encode())
            if self.simulator.take_hangup_notice():
                writer.write(b"HANGUP\n")
            await writer.drain()
        self.finished_at = time.monotonic()


@pytest.fixture
def database(postgres_server: str, today_template: str) -> Iterator[str]:
    with fresh_database(postgres_server, template=today_template) as url:
        yield url


@pytest.fixture
def slot_service(tmp_path: Path, database: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    port = free_port()
    env = {**os.environ, "SLOTS_DATABASE_URL": database}
    process = subprocess.Popen(
        [sys.executable, "-c", "from api.cli import main; main()", "serve", "--port", str(port),
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "service.log").open("wb"),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / "service.log").read_text()) from None
                time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


@pytest.fixture
async def engine(
    slot_service: tuple[str, subprocess.Popen[bytes]],
) -> AsyncIterator[FastAgiServer]:
    url, _ = slot_service
    metrics = AgiMetrics(registry=CollectorRegistry())
    async with SlotClient(base_url=url, token=DEV_TOKENS["ivr"]) as slots:
        runner = build_booking_runner(flow=FlowSettings(), slots=slots, metrics=metrics)
        server = FastAgiServer(
            settings=AgiSettings(port=0), routes={"booking": runner}, metrics=metrics
        )
        await server.start()
        try:
            yield server
        finally:
            await server.shutdown()


@pytest.mark.slow
async def test_callers_hear_the_apology_and_reach_an_operator_within_5_s(
    engine: FastAgiServer, slot_service: tuple[str, subprocess.Popen[bytes]]
) -> None:
    _, process = slot_service
    gate = asyncio.Event()
    callers = []
    for index, stop_at in enumerate(STOP_POINTS * CALLS_PER_POINT):
        keys = [Press("2"), Press("1"), Press("1"), Press("1"), Press(f"{70000000 + index}#"),
                Press("05011990"), Press("1"), Press("1"), Silence()]
        callers.append(GatedAsterisk(
            stop_at=stop_at, gate=gate, port=engine.port, caller=keys,
            callerid=f"+42073400{index:04d}", reply_timeout_s=10.0,
        ))
    calls = [asyncio.create_task(caller.run()) for caller in callers]
    await asyncio.wait_for(asyncio.gather(*(c.waiting.wait() for c in callers)), 15)

    process.kill()
    killed_at = time.monotonic()
    await asyncio.to_thread(process.wait, 5)
    gate.set()
    transcripts: list[Transcript] = await asyncio.wait_for(asyncio.gather(*calls), 15)

    for caller, transcript in zip(callers, transcripts, strict=True):
        took = caller.finished_at - killed_at
        where = f"stopped at {caller.stop_at}"
        assert "en/ivr/service-error" in transcript.played, where
        assert transcript.variables.get("IVR_RESULT") == "fallout", where
        assert transcript.variables.get("IVR_FALLOUT_REASON") == "service-error", where
        assert transcript.played[-1] == "en/ivr/transfer-operator", where
        assert not transcript.agi_hung_up, "the dialplan queues the caller for an operator"
        assert took < APOLOGY_LIMIT_S, f"{where}: {took:.2f} s"
    slowest = max(caller.finished_at for caller in callers) - killed_at
    print(f"\n{len(callers)} calls in flight; all at an operator {slowest:.2f} s after the kill")
