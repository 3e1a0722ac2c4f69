"""`ivr phone` as a newcomer runs it: a subprocess calling a FastAGI server, exit status by
outcome."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from ivr.agi.channel import AgiChannel
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.phone.call import PhoneSettings, TerminalPhone
from ivr.phone.errors import PhoneServerSilent
from ivr.phone.keys import ScriptedKeys
from ivr.phone.library import PromptLibrary
from tests.ivr.phone.recording_display import RecordingDisplay

IVR = str(Path(sys.executable).parent / "ivr")


async def language_menu(channel: AgiChannel) -> None:
    key = await channel.stream_file("cs/ivr/welcome", "12")
    await channel.set_variable("IVR_RESULT", "booked" if key == "2" else "fallout")


async def run_phone(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        IVR, "phone", "--no-audio", *args, stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def test_the_command_exits_by_the_expected_result() -> None:
    server = FastAgiServer(
        settings=AgiSettings(port=0),
        routes={"booking": language_menu},
        metrics=AgiMetrics(registry=CollectorRegistry()),
    )
    await server.start()
    try:
        port = str(server.port)
        status, output = await run_phone("--port", port, "--script", "2", "--expect", "booked")
        assert status == 0, output
        assert "Dobrý den" in output, "the Czech welcome text from the catalog"
        assert "IVR_RESULT" in output and "booked" in output
        status, output = await run_phone("--port", port, "--script", "1", "--expect", "booked")
        assert status == 1
        assert "expected 'booked'" in output
    finally:
        await server.shutdown()


async def test_the_command_names_an_unreachable_server() -> None:
    probe = await asyncio.start_server(lambda reader, writer: None, "127.0.0.1", 0)
    port = str(probe.sockets[0].getsockname()[1])
    probe.close()
    await probe.wait_closed()
    status, output = await run_phone("--port", port, "--script", "2")
    assert status == 1
    assert f"127.0.0.1:{port}" in output


async def test_the_keyboard_phone_without_a_terminal_says_so_and_exits_1() -> None:
    status, output = await run_phone("--port", "9")  # no --script, stdin is /dev/null
    assert status == 1
    assert "needs a terminal; use --script" in output and "Traceback" not in output


async def test_a_silent_server_ends_the_call_with_an_error() -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\n\n")
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    phone = TerminalPhone(
        settings=PhoneSettings(port=port, reply_wait_seconds=0.2),
        keys=ScriptedKeys(""),
        display=RecordingDisplay(),
        prompts=PromptLibrary(texts=None, sounds_dir=None),
    )
    try:
        with pytest.raises(PhoneServerSilent, match=r"0\.2 s"):
            await phone.call()
    finally:
        server.close()
