"""Misbehaving FastAGI peers: the server stays up and the next real call is served.

Peers that send garbage, stop in the middle of the ``agi_*`` block, send ``HANGUP`` or garbage
in the middle of a command's reply, vanish mid-call, or open 1,000 connections and say nothing.
After each, a real caller (fake Asterisk) books through the same server and slot service.
"""

from __future__ import annotations

import asyncio
import itertools
import resource
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator

import httpx
import pytest
from prometheus_client import CollectorRegistry

from api.testing import DEV_TOKENS, prepared_app
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.flow.runner import build_booking_runner
from ivr.flow.settings import FlowSettings
from ivr.slots import SlotClient
from tests.fakes.fake_asterisk import FakeAsterisk, Press, Silence, agi_environment

HEADER_TIMEOUT_S = 0.5
IDLE_CONNECTIONS = 1000
IDLE_HEADER_TIMEOUT_S = 4.0  # long enough for all 1,000 to be open at once
_callers = itertools.count(1)


@pytest.fixture
async def server(
    postgres_server: str, today_template: str, request: pytest.FixtureRequest
) -> AsyncIterator[FastAgiServer]:
    header_timeout_s: float = getattr(request, "param", HEADER_TIMEOUT_S)
    async with prepared_app(postgres_server, template=today_template) as app, SlotClient(
        base_url="http://slots.test", token=DEV_TOKENS["ivr"],
        transport=httpx.ASGITransport(app=app),
    ) as slots:
        metrics = AgiMetrics(registry=CollectorRegistry())
        runner = build_booking_runner(flow=FlowSettings(), slots=slots, metrics=metrics)
        agi = FastAgiServer(
            settings=AgiSettings(port=0, header_timeout_s=header_timeout_s, command_timeout_s=1.0,
                                 media_timeout_s=2.0, shutdown_grace_s=1.0),
            routes={"booking": runner}, metrics=metrics,
        )
        await agi.start()
        try:
            yield agi
        finally:
            await agi.shutdown()


async def real_call_books(server: FastAgiServer) -> None:
    number = next(_callers)
    keys = [Press("2"), Press("1"), Press("1"), Press("1"), Press(f"{40000000 + number}#"),
            Press("05011990"), Press("1"), Press("1"), Silence()]
    transcript = await FakeAsterisk(
        port=server.port, caller=keys, callerid=f"+42073300{number:04d}"
    ).run()
    assert transcript.variables.get("IVR_RESULT") == "booked", transcript.played[-3:]


async def _closed_by_server(reader: asyncio.StreamReader, within_s: float) -> bytes:
    """Everything the server sent until it closed the connection (a reset counts as closed:
    the server closed with our garbage unread)."""
    try:
        return await asyncio.wait_for(reader.read(), within_s)
    except ConnectionResetError:
        return b""


async def garbage(server: FastAgiServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"\x00\xff\xfeGET / HTTP/1.1\r\n" + bytes(range(256)) * 40 + b"\n\n")
    await writer.drain()
    await _closed_by_server(reader, 2.0)
    writer.close()


async def stops_mid_block(server: FastAgiServer) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    block = agi_environment(network_script="booking", request="agi://x/booking")
    writer.write(block[: len(block) // 2])
    await writer.drain()
    assert await _closed_by_server(reader, HEADER_TIMEOUT_S + 2.0) == b""
    writer.close()


async def _first_command(
    server: FastAgiServer,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(agi_environment(network_script="booking", request="agi://x/booking"))
    await writer.drain()
    command = await asyncio.wait_for(reader.readline(), 2.0)
    assert command, "the server sent no command"
    return reader, writer, command


async def hangup_mid_command(server: FastAgiServer) -> None:
    """The caller hangs up while a prompt plays: HANGUP, a pause, then the command's reply."""
    reader, writer, _ = await _first_command(server)
    writer.write(b"HANGUP\n")
    await writer.drain()
    await asyncio.sleep(0.2)
    writer.write(b"200 result=-1\n")
    await writer.drain()
    await _answer_until_closed(reader, writer)


async def hangup_inside_a_reply_line(server: FastAgiServer) -> None:
    """A broken peer: HANGUP cut into the middle of a reply line (a protocol error)."""
    reader, writer, _ = await _first_command(server)
    writer.write(b"200 res")
    await writer.drain()
    writer.write(b"HANGUP\n")
    await writer.drain()
    await asyncio.sleep(0.05)
    writer.write(b"ult=-1\n")
    await writer.drain()
    await _answer_until_closed(reader, writer)


async def hangup_then_reply(server: FastAgiServer) -> None:
    reader, writer, _ = await _first_command(server)
    writer.write(b"HANGUP\n200 result=-1\n")
    await writer.drain()
    await _answer_until_closed(reader, writer)


async def _answer_until_closed(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """A dead channel: every further command gets 511, until the server lets go."""
    for _ in range(50):
        try:
            line = await asyncio.wait_for(reader.readline(), 3.0)
        except ConnectionResetError:
            break
        if not line:
            break
        writer.write(b"511 Command Not Permitted on a dead channel or intercept routine\n")
        await writer.drain()
    writer.close()


async def garbage_reply(server: FastAgiServer) -> None:
    reader, writer, _ = await _first_command(server)
    writer.write(b"\xde\xad\xbe\xef not a reply at all\n")
    await writer.drain()
    await _closed_by_server(reader, 3.0)
    writer.close()


async def vanishes_mid_call(server: FastAgiServer) -> None:
    _, writer, _ = await _first_command(server)
    writer.transport.abort()  # a reset, no FIN


@pytest.mark.parametrize(
    "misbehave",
    [garbage, stops_mid_block, hangup_mid_command, hangup_inside_a_reply_line,
     hangup_then_reply, garbage_reply,
     vanishes_mid_call],
)
async def test_a_bad_peer_leaves_the_server_serving(
    server: FastAgiServer, misbehave: Callable[[FastAgiServer], Awaitable[None]]
) -> None:
    await misbehave(server)
    await real_call_books(server)
    for _ in range(40):  # the bad peer's task is gone too
        if server.active_connections == 0:
            break
        await asyncio.sleep(0.05)
    assert server.active_connections == 0


@pytest.fixture
def enough_file_descriptors() -> Iterator[None]:
    """Both ends of 1,000 connections live in this process: raise the soft limit if needed."""
    needed = 2 * IDLE_CONNECTIONS + 200
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        yield
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        pytest.fail(f"the hard limit of open files ({hard}) is below {needed}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.parametrize("server", [IDLE_HEADER_TIMEOUT_S], indirect=True)
async def test_a_thousand_idle_connections_do_not_stop_a_real_call(
    enough_file_descriptors: None, server: FastAgiServer,
) -> None:
    idle = [await asyncio.open_connection("127.0.0.1", server.port)
            for _ in range(IDLE_CONNECTIONS)]
    try:
        for _ in range(100):  # the server accepts them all
            if server.active_connections >= IDLE_CONNECTIONS:
                break
            await asyncio.sleep(0.05)
        assert server.active_connections >= IDLE_CONNECTIONS
        await asyncio.wait_for(real_call_books(server), 5.0)
        closed = await asyncio.gather(
            *(_closed_by_server(reader, IDLE_HEADER_TIMEOUT_S + 5.0) for reader, _ in idle)
        )
        assert all(data == b"" for data in closed), "idle peers are dropped after the timeout"
    finally:
        for _, writer in idle:
            writer.close()
    await real_call_books(server)
