"""Whole calls from the terminal phone against the real FastAGI server (ivr.agi.server), with a
small menu handler of the test's own, so the Asterisk side is checked independently of the flow.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from ivr.agi.channel import AgiChannel
from ivr.agi.errors import AgiAppError, AgiHangup
from ivr.agi.metrics import AgiMetrics
from ivr.agi.server import FastAgiServer
from ivr.agi.settings import AgiSettings
from ivr.phone.call import PhoneSettings, TerminalPhone
from ivr.phone.errors import PhoneConnectError
from ivr.phone.keys import HANGUP, KeySource, QueuedKeys, ScriptedKeys
from ivr.phone.library import PromptLibrary
from tests.ivr.phone.recording_display import RecordingDisplay

TEXTS = {
    ("welcome", "cs"): "Vítejte na rezervační lince.",
    ("passport-prompt", "en"): "Please key in the digits of your passport number.",
    ("goodbye", "en"): "Goodbye.",
}


class Texts:
    def text(self, prompt_id: str, language: str) -> str:
        return TEXTS[(prompt_id, language)]


Handler = Callable[[AgiChannel], Awaitable[None]]


async def small_menu(channel: AgiChannel, seen: dict[str, Any]) -> None:
    """Language choice, passport digits, read back the language, a result variable."""
    try:
        key = await channel.stream_file("cs/ivr/welcome", "12")
        if key is None:
            key = await channel.wait_for_digit(2000)
        seen["language_key"] = key
        await channel.set_variable("CHANNEL(language)", "en" if key == "2" else "cs")
        passport = await channel.get_data("en/ivr/passport-prompt", 2000, 20)
        seen["passport"] = passport
        seen["language"] = await channel.get_variable("CHANNEL(language)")
        seen["unset"] = await channel.get_variable("IVR_NOTHING")
        await channel.stream_file("en/ivr/goodbye", "")
        await channel.set_variable("IVR_RESULT", "booked")
    except AgiHangup:
        seen["hangup"] = True
        raise


@pytest.fixture
async def server_for() -> AsyncIterator[Callable[[Handler], Awaitable[int]]]:
    servers: list[FastAgiServer] = []

    async def start(handler: Handler) -> int:
        server = FastAgiServer(
            settings=AgiSettings(port=0, shutdown_grace_s=1),
            routes={"booking": handler},
            metrics=AgiMetrics(registry=CollectorRegistry()),
        )
        await server.start()
        servers.append(server)
        return server.port

    yield start
    for server in servers:
        await server.shutdown()


def phone_for(
    port: int, keys: KeySource, display: RecordingDisplay, *, pace: float = 0
) -> TerminalPhone:
    return TerminalPhone(
        settings=PhoneSettings(port=port, caller_number="+420777000111", reply_wait_seconds=5),
        keys=keys,
        display=display,
        prompts=PromptLibrary(texts=Texts(), sounds_dir=None, pace=pace),
    )


async def test_a_scripted_call_runs_to_its_end(server_for: Any) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: small_menu(channel, seen))
    display = RecordingDisplay()
    record = await phone_for(port, ScriptedKeys("2 12345678#"), display).call()

    assert seen["language_key"] == "2"
    assert seen["passport"].digits == "12345678"
    assert not seen["passport"].timed_out
    assert seen["language"] == "en"
    assert seen["unset"] is None
    assert record.result == "booked"
    assert record.variables["CHANNEL(language)"] == "en"
    assert record.prompts == ["cs/ivr/welcome", "en/ivr/passport-prompt", "en/ivr/goodbye"]
    assert record.keys == ["2", *"12345678", "#"]
    assert ("prompt", "cs", "welcome", TEXTS[("welcome", "cs")]) in display.events
    assert ("variable", "IVR_RESULT", "booked") in display.events
    assert display.ended is record
    assert record.commands[0].startswith("STREAM FILE")


async def test_silence_and_a_key_that_does_not_fit_the_prompt(server_for: Any) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: small_menu(channel, seen))
    record = await phone_for(port, ScriptedKeys("9 ."), RecordingDisplay()).call()

    assert seen["language_key"] == "9", "not an escape digit: it waits for WAIT FOR DIGIT"
    assert seen["passport"].digits == ""
    assert seen["passport"].timed_out
    assert record.result == "booked"


async def test_digits_then_silence_time_out_with_what_was_keyed(server_for: Any) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: small_menu(channel, seen))
    await phone_for(port, ScriptedKeys("1 123"), RecordingDisplay()).call()
    assert (seen["passport"].digits, seen["passport"].timed_out) == ("123", True)


async def test_a_caller_hanging_up_during_a_prompt(server_for: Any) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: small_menu(channel, seen))
    display = RecordingDisplay()
    record = await phone_for(port, ScriptedKeys("2 12!"), display).call()

    assert seen.get("hangup") is True
    assert "passport" not in seen
    assert record.caller_hung_up
    assert record.result is None
    assert ("note", "you hung up") in display.events


async def test_a_hangup_between_commands_is_announced_before_the_next_reply(
    server_for: Any,
) -> None:
    seen: dict[str, Any] = {}

    async def handler(channel: AgiChannel) -> None:
        await channel.stream_file("cs/ivr/welcome", "")
        keys.press(HANGUP)  # the caller hangs up while the server is busy
        await channel.set_variable("IVR_RESULT", "hangup")  # allowed on a dead channel
        seen["hung_up"] = channel.hung_up
        try:
            await channel.stream_file("en/ivr/goodbye", "")
        except AgiHangup:
            seen["refused"] = True
            raise

    keys = QueuedKeys()
    port = await server_for(handler)
    record = await phone_for(port, keys, RecordingDisplay()).call()
    assert seen == {"hung_up": True, "refused": True}
    assert record.result == "hangup"
    assert record.caller_hung_up


async def test_typeahead_interrupts_a_playing_prompt(server_for: Any) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: small_menu(channel, seen))
    display = RecordingDisplay()
    keys = QueuedKeys(on_dropped=display.key_dropped)
    phone = phone_for(port, keys, display, pace=1.0)  # prompts take their reading time
    loop = asyncio.get_running_loop()
    started = loop.time()
    loop.call_later(0.05, keys.press, "7")  # not a choice: dropped
    loop.call_later(0.1, keys.press, "1")
    for delay, key in ((0.15, "4"), (0.2, "2"), (0.25, "#")):
        loop.call_later(delay, keys.press, key)
    record = await phone.call()

    assert seen["language_key"] == "1"
    assert seen["passport"].digits == "42"
    assert ("dropped", "7") in display.events
    assert record.result == "booked"
    assert loop.time() - started < 3, "the prompts were cut by the keys"


async def test_a_missing_prompt_fails_like_asterisk(server_for: Any) -> None:
    seen: dict[str, Any] = {}

    async def handler(channel: AgiChannel) -> None:
        try:
            await channel.stream_file("en/ivr/no-such-prompt", "")
        except AgiAppError:
            seen["app_error"] = True
        seen["alive"] = not channel.hung_up
        await channel.set_variable("IVR_RESULT", "error")

    port = await server_for(handler)
    display = RecordingDisplay()
    record = await phone_for(port, ScriptedKeys(""), display).call()
    assert seen == {"app_error": True, "alive": True}
    assert ("missing", "en/ivr/no-such-prompt") in display.events
    assert record.result == "error"


async def test_raw_replies_for_unknown_bad_and_hangup_commands() -> None:
    replies: list[bytes] = []
    done = asyncio.Event()

    async def asterisk_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        environment = await reader.readuntil(b"\n\n")
        assert b"agi_callerid: +420777000111\n" in environment
        assert b"agi_network_script: booking\n" in environment
        for line in (b"RECORD FILE x wav # 1000\n", b"STREAM FILE\n", b"ANSWER\n",
                     b"HANGUP\n", b"STREAM FILE x \"\"\n", b"GET VARIABLE CALLERID(num)\n"):
            writer.write(line)
            await writer.drain()
            replies.append(await reader.readline())
            if line == b"STREAM FILE\n":
                while not replies[-1].startswith(b"520 "):
                    replies.append(await reader.readline())
            if line == b"HANGUP\n":
                replies.append(await reader.readline())
        writer.close()
        done.set()

    server = await asyncio.start_server(asterisk_client, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        await phone_for(port, ScriptedKeys(""), RecordingDisplay()).call()
        await done.wait()
    finally:
        server.close()
    assert replies[0] == b"510 Invalid or unknown command\n"
    assert replies[1].startswith(b"520-Invalid command syntax.")
    assert replies[3] == b"520 End of proper usage.\n"
    assert replies[4:7] == [b"200 result=0\n", b"200 result=1\n", b"HANGUP\n"]
    assert replies[7].startswith(b"511 ")
    assert replies[8] == b"200 result=1 (+420777000111)\n"


async def test_no_server_is_a_connect_error(tmp_path: Path) -> None:
    probe = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = probe.sockets[0].getsockname()[1]
    probe.close()
    await probe.wait_closed()
    with pytest.raises(PhoneConnectError, match=str(port)):
        await phone_for(port, ScriptedKeys(""), RecordingDisplay()).call()


async def read_twice(channel: AgiChannel, seen: dict[str, Any]) -> None:
    """A menu key over two prompts, then a number, each one Read with its own timeouts."""
    seen["menu"] = await channel.read_digits(
        ["cs/ivr/welcome", "en/ivr/passport-prompt"],
        max_digits=1, first_digit_timeout_ms=2000, inter_digit_timeout_ms=1000,
    )
    seen["number"] = await channel.read_digits(
        ["en/ivr/passport-prompt"],
        max_digits=20, first_digit_timeout_ms=3000, inter_digit_timeout_ms=1000,
    )
    seen["nothing"] = await channel.read_digits(
        ["en/ivr/goodbye"], max_digits=20, first_digit_timeout_ms=3000, inter_digit_timeout_ms=1000
    )


async def test_read_takes_a_key_during_its_first_prompt_and_a_whole_number(
    server_for: Any,
) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: read_twice(channel, seen))
    record = await phone_for(port, ScriptedKeys("3 1234# ."), RecordingDisplay()).call()

    assert (seen["menu"].digits, seen["menu"].timed_out) == ("3", False)
    assert (seen["number"].digits, seen["number"].timed_out) == ("1234", False)
    assert (seen["nothing"].digits, seen["nothing"].timed_out) == ("", True)
    # the key cut the first prompt: the second one never played
    assert record.prompts == ["cs/ivr/welcome", "en/ivr/passport-prompt", "en/ivr/goodbye"]
    reads = [c for c in record.commands if c.startswith("EXEC")]
    assert reads[0] == 'EXEC Read "IVR_READ,cs/ivr/welcome&en/ivr/passport-prompt,1"'
    timeouts = [c for c in record.commands if "TIMEOUT(" in c]
    assert timeouts == [  # set once each, and again only when they change
        'SET VARIABLE "TIMEOUT(response)" "2.000"',
        'SET VARIABLE "TIMEOUT(digit)" "1.000"',
        'SET VARIABLE "TIMEOUT(response)" "3.000"',
    ]
    assert record.variables["READSTATUS"] == "TIMEOUT"


async def test_read_waits_its_timeouts_from_the_channel(server_for: Any) -> None:
    seen: dict[str, Any] = {}
    port = await server_for(lambda channel: read_twice(channel, seen))
    keys = QueuedKeys()
    display = RecordingDisplay()
    call = asyncio.create_task(phone_for(port, keys, display).call())  # prompts take no time
    await asyncio.sleep(0.05)
    keys.press("1")
    await asyncio.sleep(0.1)
    keys.press("4")
    keys.press("2")  # then nothing: the inter-digit timeout (1 s) ends the number
    loop = asyncio.get_running_loop()
    started = loop.time()
    while "number" not in seen:
        await asyncio.sleep(0.02)
    assert seen["number"].digits == "42"
    assert 0.8 < loop.time() - started < 2.5, "ended by TIMEOUT(digit), not TIMEOUT(response)"
    keys.press(HANGUP)
    await asyncio.wait_for(call, 10)
