"""The FastAGI server and its session, driven over TCP by the fake Asterisk."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from ipaddress import IPv4Network

import httpx
import pytest
from prometheus_client import CollectorRegistry

from ivr.agi.channel import AgiChannel, AgiHandler, DigitsResult
from ivr.agi.errors import (
    AgiAppError,
    AgiDeadChannel,
    AgiHangup,
    AgiInvalidCommand,
    AgiTimeout,
    AgiUsageError,
)
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.session import FastAgiSession
from ivr.agi.settings import AgiSettings
from tests.fakes.fake_asterisk import FakeAsterisk, HangUp, Press, Silence, agi_environment

ServerFactory = Callable[..., Awaitable[FastAgiServer]]


def sample(metrics: AgiMetrics, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


@pytest.fixture
def metrics() -> AgiMetrics:
    return AgiMetrics(registry=CollectorRegistry())


@pytest.fixture
async def start_server(metrics: AgiMetrics) -> AsyncIterator[ServerFactory]:
    servers: list[FastAgiServer] = []

    async def start(routes: dict[str, AgiHandler], **overrides: object) -> FastAgiServer:
        settings = AgiSettings(port=0, **overrides)  # type: ignore[arg-type]
        server = FastAgiServer(settings=settings, routes=routes, metrics=metrics)
        await server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        await server.shutdown()


async def test_session_commands_against_asterisk_replies(start_server: ServerFactory) -> None:
    seen: dict[str, object] = {}

    async def handler(channel: AgiChannel) -> None:
        assert isinstance(channel, FastAgiSession)
        seen["env"] = channel.env
        seen["language"] = await channel.get_variable("CHANNEL(language)")
        await channel.set_variable("CHANNEL(language)", "en")
        seen["missing"] = await channel.get_variable("NOT_SET")
        seen["not_escape"] = await channel.stream_file("en/ivr/welcome", "13")
        seen["escape"] = await channel.stream_file("en/ivr/language-option", "12345")
        seen["passport"] = await channel.get_data("en/ivr/passport-prompt", 5000, 20)
        seen["partial"] = await channel.get_data("en/ivr/birthdate-prompt", 5000, 8)
        seen["hash"] = await channel.get_data("en/ivr/birthdate-prompt", 5000, 8)
        seen["digit"] = await channel.wait_for_digit(2000)
        seen["no_digit"] = await channel.wait_for_digit(2000)
        seen["exec"] = await channel.exec_app("Playback", "beep")
        await channel.verbose('booking "done"', 3)

    server = await start_server({"booking": handler})
    caller = [
        Press("2"),
        Press("12345678#"),
        Press("0102"),
        Silence(),
        Press("#"),
        Press("*"),
        Silence(),
    ]
    transcript = await FakeAsterisk(port=server.port, caller=caller, script="booking?lang=en").run()

    assert seen["language"] == "cs"
    assert seen["missing"] is None
    assert seen["not_escape"] is None
    assert seen["escape"] == "2"
    assert seen["passport"] == DigitsResult(digits="12345678", timed_out=False)
    assert seen["partial"] == DigitsResult(digits="0102", timed_out=True)
    assert seen["hash"] == DigitsResult(digits="", timed_out=False)
    assert seen["digit"] == "*"
    assert seen["no_digit"] is None
    assert seen["exec"] == 0
    assert transcript.variables["CHANNEL(language)"] == "en"
    assert transcript.executed == [("Playback", "beep")]
    assert transcript.commands[-1] == 'VERBOSE "booking \\"done\\"" "3"'
    assert not transcript.caller_hung_up


async def test_typeahead_key_not_in_escape_digits_waits_for_the_next_input(
    start_server: ServerFactory,
) -> None:
    keys: list[str | None] = []

    async def handler(channel: AgiChannel) -> None:
        keys.append(await channel.stream_file("a", "12"))
        keys.append(await channel.stream_file("b", "9"))

    server = await start_server({"booking": handler})
    await FakeAsterisk(port=server.port, caller=[Press("9")]).run()
    assert keys == [None, "9"]


async def test_route_query_is_stripped_and_passed_in_the_environment(
    start_server: ServerFactory,
) -> None:
    queries: list[dict[str, str]] = []

    async def handler(channel: AgiChannel) -> None:
        queries.append(channel.env.query)

    server = await start_server({"booking": handler})
    await FakeAsterisk(port=server.port, script="booking?lang=vi").run()
    assert queries == [{"lang": "vi"}]


@pytest.mark.parametrize("step", [0, 1, 2, 3])
async def test_hangup_at_any_step_raises_agi_hangup(
    start_server: ServerFactory, metrics: AgiMetrics, step: int
) -> None:
    outcome: list[str] = []

    async def handler(channel: AgiChannel) -> None:
        try:
            await channel.stream_file("welcome", "1")
            await channel.get_data("menu", 3000, 1)
            await channel.wait_for_digit(3000)
            await channel.get_data("menu", 3000, 4)
        except AgiHangup:
            outcome.append("hangup" if channel.hung_up else "not-flagged")
            await channel.set_variable("IVR_RESULT", "hangup")  # allowed on a dead channel
            raise

    caller: list[Press | Silence | HangUp] = [Press("1"), Press("2"), Press("1234")][:step]
    server = await start_server({"booking": handler})
    transcript = await FakeAsterisk(port=server.port, caller=[*caller, HangUp()]).run()
    assert outcome == ["hangup"]
    assert transcript.variables["IVR_RESULT"] == "hangup"
    assert sample(metrics, "ivr_calls_finished_total", route="booking", ending="hangup") == 1


async def test_hangup_line_before_the_reply_then_511(start_server: ServerFactory) -> None:
    errors: list[BaseException] = []

    async def handler(channel: AgiChannel) -> None:
        await channel.wait_for_digit(1000)
        try:
            await channel.set_variable("IVR_STEP", "menu")  # allowed: the reply is 200
            await channel.stream_file("menu", "1")
        except AgiHangup as error:
            errors.append(error)

    server = await start_server({"booking": handler})
    transcript = await FakeAsterisk(
        port=server.port, caller=[Press("1"), HangUp(between_commands=True)]
    ).run()
    assert len(errors) == 1
    # The HANGUP line arrived before SET VARIABLE's reply; the flag stops STREAM FILE locally.
    assert transcript.commands[-1] == 'SET VARIABLE "IVR_STEP" "menu"'


async def test_511_is_a_dead_channel_hangup(start_server: ServerFactory) -> None:
    errors: list[BaseException] = []

    async def handler(channel: AgiChannel) -> None:
        session = channel
        assert isinstance(session, FastAgiSession)
        with pytest.raises(AgiHangup):
            await channel.wait_for_digit(1000)
        session._hung_up = False  # pretend the HANGUP line was lost: Asterisk still says 511
        try:
            await channel.stream_file("menu", "1")
        except AgiDeadChannel as error:
            errors.append(error)

    server = await start_server({"booking": handler})
    await FakeAsterisk(port=server.port, caller=[HangUp()]).run()
    assert len(errors) == 1


async def test_missing_file_is_an_app_error_not_a_hangup(start_server: ServerFactory) -> None:
    results: list[object] = []

    async def handler(channel: AgiChannel) -> None:
        try:
            await channel.stream_file("en/ivr/nope", "1")
        except AgiAppError as error:
            results.append(type(error))
        results.append(channel.hung_up)
        results.append(await channel.stream_file("en/ivr/welcome", "1"))

    server = await start_server({"booking": handler})
    transcript = await FakeAsterisk(
        port=server.port, caller=[Press("1")], sound_files={"en/ivr/welcome"}
    ).run()
    assert results == [AgiAppError, False, "1"]
    assert "CHANNEL STATUS" in transcript.commands


async def test_invalid_command_and_usage_error_keep_the_stream_in_step(
    start_server: ServerFactory,
) -> None:
    results: list[object] = []

    async def handler(channel: AgiChannel) -> None:
        assert isinstance(channel, FastAgiSession)
        try:
            await channel._command(b"FLY AWAY\n")
        except AgiInvalidCommand:
            results.append("510")
        try:
            await channel._command(b"STREAM FILE\n")
        except AgiUsageError as error:
            results.append(error.usage)
        results.append(await channel.get_variable("CHANNEL(language)"))

    server = await start_server({"booking": handler})
    await FakeAsterisk(port=server.port).run()
    assert results == [
        "510",
        "Usage: STREAM FILE <filename> <escape_digits> [<sample offset>]",
        "cs",
    ]


async def test_unexpected_exception_is_logged_and_closed_without_touching_the_channel(
    start_server: ServerFactory, metrics: AgiMetrics, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(channel: AgiChannel) -> None:
        await channel.stream_file("welcome")
        raise RuntimeError("flow bug")

    server = await start_server({"booking": handler})
    with caplog.at_level(logging.ERROR, logger="ivr.agi.boundary"):
        transcript = await FakeAsterisk(port=server.port).run()
    # IVR_RESULT is the flow's business (ivr.flow.runner), not the transport's
    assert transcript.played == ["welcome"] and transcript.set_variables == []
    assert "flow bug" in caplog.text
    assert sample(metrics, "ivr_calls_finished_total", route="booking", ending="error") == 1
    assert sample(metrics, "ivr_calls_started_total", route="booking") == 1
    assert sample(metrics, "ivr_calls_active") == 0


async def test_unknown_route_is_logged_and_closed_so_the_dialplan_goes_on(
    start_server: ServerFactory, metrics: AgiMetrics, caplog: pytest.LogCaptureFixture
) -> None:
    async def handler(channel: AgiChannel) -> None:
        raise AssertionError("the booking route ran for another script")

    server = await start_server({"booking": handler})
    with caplog.at_level(logging.ERROR, logger="ivr.agi.server"):
        transcript = await FakeAsterisk(port=server.port, script="nowhere").run()
    assert transcript.commands == []
    assert "no route 'nowhere' (routes given: booking)" in caplog.text
    assert sample(metrics, "ivr_calls_refused_total", reason="unknown-route") == 1
    assert sample(metrics, "ivr_calls_started_total", route="nowhere") == 0


async def test_peer_outside_the_allowlist_is_closed_at_once(
    start_server: ServerFactory, metrics: AgiMetrics
) -> None:
    calls: list[str] = []

    async def handler(channel: AgiChannel) -> None:
        calls.append(channel.env.uniqueid)

    server = await start_server({"booking": handler}, allowed_peers=[IPv4Network("10.0.0.0/8")])
    transcript = await FakeAsterisk(port=server.port).run()
    assert transcript.commands == []
    assert calls == []
    assert sample(metrics, "ivr_calls_refused_total", reason="peer-not-allowed") == 1


async def test_allowlist_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_AGI_ALLOWED_PEERS", '["192.0.2.0/24", "::1/128"]')
    settings = AgiSettings()
    assert [str(network) for network in settings.allowed_peers] == ["192.0.2.0/24", "::1/128"]


async def test_garbage_and_early_close_do_not_block_other_calls(
    start_server: ServerFactory, metrics: AgiMetrics
) -> None:
    done: list[str] = []

    async def handler(channel: AgiChannel) -> None:
        await channel.stream_file("welcome")
        done.append(channel.env.uniqueid)

    server = await start_server({"booking": handler}, header_timeout_s=0.5)
    # A health check that connects and closes, a peer that stops mid-block, an HTTP client.
    _, closer = await asyncio.open_connection("127.0.0.1", server.port)
    closer.close()
    _, half = await asyncio.open_connection("127.0.0.1", server.port)
    half.write(b"agi_network: yes\nagi_netw")
    await half.drain()
    half.close()
    http_reader, http = await asyncio.open_connection("127.0.0.1", server.port)
    http.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await http.drain()
    silent_reader, silent = await asyncio.open_connection("127.0.0.1", server.port)
    transcript = await asyncio.wait_for(FakeAsterisk(port=server.port).run(), 2)
    assert transcript.played == ["welcome"] and len(done) == 1
    assert await asyncio.wait_for(http_reader.read(), 2) == b""
    assert await asyncio.wait_for(silent_reader.read(), 2) == b""  # header timeout
    http.close()
    silent.close()
    assert sample(metrics, "ivr_calls_refused_total", reason="bad-request") == 4


async def test_reply_timeout_raises_agi_timeout(start_server: ServerFactory) -> None:
    errors: list[BaseException] = []

    async def handler(channel: AgiChannel) -> None:
        try:
            await channel.set_variable("X", "1")
        except AgiTimeout as error:
            errors.append(error)

    server = await start_server({"booking": handler}, command_timeout_s=0.2)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(agi_environment(network_script="booking", request="agi://x/booking"))
    await writer.drain()
    assert await reader.readline() == b'SET VARIABLE "X" "1"\n'
    assert await asyncio.wait_for(reader.read(), 2) == b""  # closed after the timeout
    writer.close()
    assert len(errors) == 1


async def test_capacity_cap_refuses_extra_calls(
    start_server: ServerFactory, metrics: AgiMetrics
) -> None:
    release = asyncio.Event()

    async def handler(channel: AgiChannel) -> None:
        await release.wait()

    server = await start_server({"booking": handler}, max_concurrent_calls=1)
    first = asyncio.create_task(FakeAsterisk(port=server.port).run())
    while server.active_connections < 1:
        await asyncio.sleep(0.01)
    refused = await FakeAsterisk(port=server.port).run()
    release.set()
    await first
    assert refused.commands == []
    assert sample(metrics, "ivr_calls_refused_total", reason="capacity") == 1
    assert sample(metrics, "ivr_calls_finished_total", route="booking", ending="completed") == 1


async def test_shutdown_lets_calls_finish_and_refuses_new_ones(
    start_server: ServerFactory, metrics: AgiMetrics
) -> None:
    in_call = asyncio.Event()
    release = asyncio.Event()

    async def handler(channel: AgiChannel) -> None:
        in_call.set()
        await release.wait()
        await channel.set_variable("IVR_RESULT", "booked")

    server = await start_server({"booking": handler}, shutdown_grace_s=5)
    call = asyncio.create_task(FakeAsterisk(port=server.port).run())
    await in_call.wait()
    shutdown = asyncio.create_task(server.shutdown())
    await asyncio.sleep(0.05)
    assert not shutdown.done()
    release.set()
    await shutdown
    assert (await call).variables["IVR_RESULT"] == "booked"
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", server.port)


async def test_shutdown_grace_period_is_bounded(start_server: ServerFactory) -> None:
    async def handler(channel: AgiChannel) -> None:
        await asyncio.Event().wait()

    server = await start_server({"booking": handler}, shutdown_grace_s=0.1)
    call = asyncio.create_task(FakeAsterisk(port=server.port).run())
    while server.active_connections < 1:
        await asyncio.sleep(0.01)
    await asyncio.wait_for(server.shutdown(), 2)
    transcript = await asyncio.wait_for(call, 2)
    assert transcript.commands == []


def test_metrics_record_outcomes_per_language(metrics: AgiMetrics) -> None:
    metrics.record_outcome(result="fallout", language="uk", fallout_reason="no-slots")
    metrics.record_outcome(result="booked", language="uk")
    assert sample(metrics, "ivr_call_outcomes_total", result="fallout", language="uk") == 1
    assert sample(metrics, "ivr_call_outcomes_total", result="booked", language="uk") == 1
    assert sample(metrics, "ivr_call_fallouts_total", reason="no-slots", language="uk") == 1


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_sigterm_stops_accepting_and_lets_the_call_finish(metrics: AgiMetrics) -> None:
    import os
    import signal

    from ivr.agi.server import serve

    in_call = asyncio.Event()
    release = asyncio.Event()

    async def handler(channel: AgiChannel) -> None:
        in_call.set()
        await release.wait()
        await channel.set_variable("IVR_RESULT", "booked")

    port, metrics_port = free_port(), free_port()
    settings = AgiSettings(port=port, shutdown_grace_s=5, metrics_port=metrics_port)
    server_task = asyncio.create_task(
        serve(settings=settings, routes={"booking": handler}, metrics=metrics)
    )
    for _ in range(200):  # wait until serve() listens (and has its SIGTERM handler)
        try:
            _, probe = await asyncio.open_connection("127.0.0.1", port)
            probe.close()
            break
        except OSError:
            await asyncio.sleep(0.02)
    call = asyncio.create_task(FakeAsterisk(port=port).run())
    await asyncio.wait_for(in_call.wait(), 5)
    async with httpx.AsyncClient() as http:
        exposition = (await http.get(f"http://127.0.0.1:{metrics_port}/metrics")).text
    assert 'ivr_calls_started_total{route="booking"} 1.0' in exposition
    assert "ivr_calls_active 1.0" in exposition
    assert gc.get_freeze_count() > 0  # the startup objects are out of the collector's scans
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.sleep(0.1)
    assert not server_task.done()
    with pytest.raises(OSError):
        await asyncio.open_connection("127.0.0.1", port)
    release.set()
    await asyncio.wait_for(server_task, 5)
    assert (await call).variables["IVR_RESULT"] == "booked"
    assert gc.get_freeze_count() == 0  # given back at the end


async def test_commands_allowed_on_a_dead_channel_still_reach_asterisk(
    start_server: ServerFactory,
) -> None:
    results: list[object] = []

    async def handler(channel: AgiChannel) -> None:
        with pytest.raises(AgiHangup):
            await channel.get_data("menu", 1000, 1)
        results.append(await channel.exec_app("NoOp", "after hangup"))
        results.append(await channel.get_variable("CHANNEL(language)"))
        with pytest.raises(AgiHangup):
            await channel.wait_for_digit(1000)  # refused locally: nothing sent

    server = await start_server({"booking": handler})
    transcript = await FakeAsterisk(port=server.port, caller=[HangUp()]).run()
    assert results == [0, "cs"]
    assert transcript.executed == [("NoOp", "after hangup")]
    assert not any(command.startswith("WAIT FOR DIGIT") for command in transcript.commands)


def test_a_call_on_uvloop(metrics: AgiMetrics) -> None:
    """uvloop's transports are not asyncio.Transport subclasses; the server must not care."""
    import uvloop

    heard: list[str | None] = []

    async def handler(channel: AgiChannel) -> None:
        heard.append(await channel.stream_file("en/ivr/welcome", "12"))
        await channel.set_variable("IVR_RESULT", "booked")

    async def call() -> str | None:
        server = FastAgiServer(
            settings=AgiSettings(port=0), routes={"booking": handler}, metrics=metrics
        )
        await server.start()
        try:
            transcript = await FakeAsterisk(port=server.port, caller=[Press("2")]).run()
        finally:
            await server.shutdown()
        return transcript.variable("IVR_RESULT")

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        assert runner.run(call()) == "booked"
    assert heard == ["2"]
    assert sample(metrics, "ivr_calls_finished_total", route="booking", ending="completed") == 1
