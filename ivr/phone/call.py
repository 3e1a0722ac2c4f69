"""One call from the terminal phone: Asterisk's half of a FastAGI session.

The phone connects to the FastAGI server as Asterisk does (TCP, the ``agi_*`` block with the
caller number), then answers each command the way a channel would: prompts are shown (and
played) until they end or an escape digit ends them, GET DATA and ``EXEC Read`` collect digits
until ``#``, the maximum or a timeout (Read: several prompts, ``TIMEOUT(response)`` for the
first key and ``TIMEOUT(digit)`` between keys), variables are kept so GET VARIABLE answers
what SET VARIABLE stored. When the caller hangs up, the running command returns ``-1`` and
``HANGUP`` follows; commands after that get ``511`` unless Asterisk allows them on a dead
channel. The call ends when the server closes the connection (the flow returned to the
dialplan) and the :class:`CallRecord` holds what happened.

Errors (tree in :mod:`ivr.phone.errors`): :class:`PhoneConnectError` when the FastAGI server
cannot be reached, :class:`PhoneServerSilent` when it sends nothing for ``reply_wait_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from pydantic_settings import BaseSettings, SettingsConfigDict

from ivr.phone import asterisk
from ivr.phone.display import PhoneDisplay
from ivr.phone.errors import AgiSyntaxError, PhoneConnectError, PhoneServerSilent
from ivr.phone.keys import DTMF_KEYS, HANGUP, SILENCE, KeySource
from ivr.phone.library import PromptInfo, PromptLibrary
from ivr.phone.record import CallRecord

LANGUAGE_FUNCTION = "CHANNEL(language)"
ENDPOS_SAMPLES_PER_SECOND = 8000
READ_DEFAULT_RESPONSE_S = 10.0  # a channel's TIMEOUT(response) and TIMEOUT(digit) until set
READ_DEFAULT_DIGIT_S = 5.0
_call_numbers = itertools.count(1)


class PhoneSettings(BaseSettings):
    """How the terminal phone presents itself to the FastAGI server (``IVR_PHONE_*``)."""

    model_config = SettingsConfigDict(env_prefix="IVR_PHONE_")

    host: str = "127.0.0.1"
    port: int = 4573
    route: str = "booking"
    caller_number: str = "+420777123456"
    caller_name: str = "Terminal phone"
    channel_language: str = "cs"
    sounds_dir: Path = Path("build/sounds")
    audio: bool = True
    get_data_default_timeout_ms: int = 6000
    reply_wait_seconds: float = 30.0
    connect_timeout_seconds: float = 5.0


@dataclass
class _Channel:
    """The state Asterisk keeps for the channel during one call."""

    language: str
    variables: dict[str, str] = field(default_factory=dict)
    dead: bool = False


class AudioOutput(Protocol):
    """What the call needs of an audio player (``ivr.phone.audio.AudioPlayer`` fits)."""

    async def start(self, path: Path) -> None: ...

    async def stop(self) -> None: ...


class TerminalPhone:
    def __init__(
        self,
        *,
        settings: PhoneSettings,
        keys: KeySource,
        display: PhoneDisplay,
        prompts: PromptLibrary,
        audio: AudioOutput | None = None,
    ) -> None:
        self._settings = settings
        self._keys = keys
        self._display = display
        self._prompts = prompts
        self._audio = audio

    def environment(self) -> dict[str, str]:
        settings = self._settings
        number = next(_call_numbers)
        return {
            "agi_network": "yes",
            "agi_network_script": settings.route,
            "agi_request": f"agi://{settings.host}:{settings.port}/{settings.route}",
            "agi_channel": f"PJSIP/terminal-{number:08x}",
            "agi_language": settings.channel_language,
            "agi_type": "PJSIP",
            "agi_uniqueid": f"{time.time():.6f}",
            "agi_version": "20.0.0-terminal-phone",
            "agi_callerid": settings.caller_number,
            "agi_calleridname": settings.caller_name,
            "agi_callingpres": "0",
            "agi_callingani2": "0",
            "agi_callington": "0",
            "agi_callingtns": "0",
            "agi_dnid": "1000",
            "agi_rdnis": "unknown",
            "agi_context": "ivr-booking",
            "agi_extension": "s",
            "agi_priority": "1",
            "agi_enhanced": "0.0",
            "agi_accountcode": "",
            "agi_threadid": str(number),
        }

    async def call(self) -> CallRecord:
        settings = self._settings
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(settings.host, settings.port),
                settings.connect_timeout_seconds,
            )
        except (OSError, TimeoutError) as error:
            raise PhoneConnectError(
                f"cannot reach the FastAGI server at {settings.host}:{settings.port}: {error}"
            ) from error
        record = CallRecord(caller_number=settings.caller_number)
        channel = _Channel(language=settings.channel_language)
        self._display.call_started(
            host=settings.host, port=settings.port, caller_number=settings.caller_number
        )
        try:
            writer.write(asterisk.environment_block(self.environment()))
            await writer.drain()
            await self._serve_commands(reader, writer, channel, record)
        finally:
            if self._audio is not None:
                await self._audio.stop()
            writer.close()
            # the server may have closed first: then there is nothing left to flush
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
        record.variables = dict(channel.variables)
        self._display.call_ended(record)
        return record

    async def _serve_commands(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        channel: _Channel,
        record: CallRecord,
    ) -> None:
        while True:
            try:
                raw = await asyncio.wait_for(reader.readline(), self._settings.reply_wait_seconds)
            except TimeoutError as error:
                raise PhoneServerSilent(
                    f"no command from the server for {self._settings.reply_wait_seconds} s"
                ) from error
            except ConnectionError:
                return
            if not raw:
                return
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            if not line.strip():
                continue
            record.commands.append(line)
            if not channel.dead and self._keys.hangup_pending():
                self._hang_up(channel, record)
                writer.write(asterisk.HANGUP_LINE)
            was_dead = channel.dead
            answer = await self._answer(line, channel, record)
            if channel.dead and not was_dead:
                answer += asterisk.HANGUP_LINE
            try:
                writer.write(answer)
                await writer.drain()
            except ConnectionError:
                return

    async def _answer(self, line: str, channel: _Channel, record: CallRecord) -> bytes:
        try:
            matched = asterisk.match_command(asterisk.split_arguments(line))
        except AgiSyntaxError:
            return asterisk.INVALID_COMMAND
        if matched is None:
            self._display.note(f"unknown command: {line}")
            return asterisk.INVALID_COMMAND
        name, args = matched
        if channel.dead and name not in asterisk.ALLOWED_ON_DEAD_CHANNEL:
            return asterisk.DEAD_CHANNEL
        if name in ("STREAM FILE", "CONTROL STREAM FILE"):
            return await self._stream_file(args, channel, record)
        if name == "GET DATA":
            return await self._get_data(args, channel, record)
        if name == "WAIT FOR DIGIT":
            return await self._wait_for_digit(args, channel, record)
        if name == "EXEC" and args and args[0].lower() == "read":
            return await self._read(args[1] if len(args) > 1 else "", channel, record)
        return self._immediate(name, args, channel, record)

    def _immediate(
        self, name: str, args: list[str], channel: _Channel, record: CallRecord
    ) -> bytes:
        if name == "SET VARIABLE":
            if len(args) < 2:
                return asterisk.usage_error(" Usage: SET VARIABLE <variablename> <value>")
            variable, value = args[0], args[1]
            channel.variables[variable] = value
            if variable.upper() == LANGUAGE_FUNCTION.upper():
                channel.language = value
            self._display.variable(variable, value)
            return asterisk.reply(1)
        if name in ("GET VARIABLE", "GET FULL VARIABLE"):
            if not args:
                return asterisk.usage_error(" Usage: GET VARIABLE <variablename>")
            found = self._variable(args[0], channel)
            return asterisk.reply(0) if found is None else asterisk.reply(1, data=found)
        if name == "HANGUP":
            self._display.note("the server hung up")
            channel.dead = True
            return asterisk.reply(1)
        if name == "EXEC":
            self._display.note(f"EXEC {' '.join(args)}")
            return asterisk.reply(0)
        if name in ("SAY DIGITS", "SAY NUMBER"):
            self._display.note(f"{name.lower()}: {args[0] if args else ''}")
            return asterisk.reply(0)
        if name == "VERBOSE":
            return asterisk.reply(1)
        if name == "CHANNEL STATUS":
            return asterisk.reply(6)
        return asterisk.reply(0)  # ANSWER, NOOP

    def _variable(self, expression: str, channel: _Channel) -> str | None:
        name = expression.removeprefix("${").removesuffix("}")
        if name.upper() == LANGUAGE_FUNCTION.upper():
            return channel.language
        if name.upper() in ("CALLERID(NUM)", "CALLERID(NUMBER)"):
            return self._settings.caller_number
        return channel.variables.get(name)

    async def _play(self, file_name: str, escape_digits: str, record: CallRecord) -> str | None:
        """Show and play a prompt; the key that ended it, HANGUP, or None when it played out."""
        prompt = self._prompts.lookup(file_name)
        record.prompts.append(prompt.file_name)
        self._display.prompt(prompt, escape_digits=escape_digits)
        await self._start_audio(prompt)
        try:
            return await self._keys.during_prompt(
                seconds=prompt.seconds, escape_digits=escape_digits
            )
        finally:
            if self._audio is not None:
                await self._audio.stop()

    async def _start_audio(self, prompt: PromptInfo) -> None:
        if self._audio is not None and prompt.audio_path is not None and prompt.seconds > 0:
            await self._audio.start(prompt.audio_path)

    async def _stream_file(self, args: list[str], channel: _Channel, record: CallRecord) -> bytes:
        if len(args) < 2:
            return asterisk.usage_error(
                " Usage: STREAM FILE <filename> <escape digits> [sample offset]"
            )
        file_name, escape_digits = args[0], args[1]
        if not self._prompts.lookup(file_name).exists:
            self._display.prompt_missing(file_name)
            return asterisk.reply(-1, endpos=0)
        loop = asyncio.get_running_loop()
        started = loop.time()
        key = await self._play(file_name, escape_digits, record)
        endpos = int((loop.time() - started) * ENDPOS_SAMPLES_PER_SECOND)
        if key == HANGUP:
            self._hang_up(channel, record)
            return asterisk.reply(-1, endpos=endpos)
        if key is None:
            return asterisk.reply(0, endpos=endpos)
        self._pressed(key, record)
        return asterisk.reply(asterisk.key_code(key), endpos=endpos)

    async def _get_data(self, args: list[str], channel: _Channel, record: CallRecord) -> bytes:
        if not args:
            return asterisk.usage_error(" Usage: GET DATA <file to be streamed> [timeout] [max]")
        try:
            timeout_ms = int(args[1]) if len(args) > 1 else 0
            max_digits = int(args[2]) if len(args) > 2 else 1024
        except ValueError:
            return asterisk.usage_error(" Usage: GET DATA <file to be streamed> [timeout] [max]")
        if timeout_ms <= 0:
            timeout_ms = self._settings.get_data_default_timeout_ms
        timeout = timeout_ms / 1000
        key = await self._play(args[0], DTMF_KEYS, record)
        if key is None:
            self._display.collecting(max_digits=max_digits, timeout_seconds=timeout)
            key = await self._keys.wait(seconds=timeout)
        digits = ""
        while True:
            if key == HANGUP:
                self._hang_up(channel, record)
                return asterisk.reply(-1)
            if key is None or key == SILENCE:
                self._display.note(f"silence after {digits}" if digits else "silence")
                return asterisk.digits_reply(digits, timed_out=True)
            self._pressed(key, record)
            if key == "#":
                return asterisk.digits_reply(digits, timed_out=False)
            digits += key
            if len(digits) >= max_digits:
                return asterisk.digits_reply(digits, timed_out=False)
            key = await self._keys.wait(seconds=timeout)

    async def _read(self, data: str, channel: _Channel, record: CallRecord) -> bytes:
        """``EXEC Read(var,f1&f2…,max)`` as Asterisk runs it: the files play in turn, any key
        stops them and starts the answer; after the last one the first key is awaited
        ``TIMEOUT(response)`` seconds, each next one ``TIMEOUT(digit)``; ``#`` ends. Sets the
        variable and ``READSTATUS``."""
        self._display.note(f"EXEC Read {data}")
        variable, files, max_arg, *_ = [*data.split(","), "", ""]
        max_digits = int(max_arg) if max_arg.isdigit() and 1 <= int(max_arg) <= 255 else 255
        first = self._seconds(channel, "TIMEOUT(response)", READ_DEFAULT_RESPONSE_S)
        between = self._seconds(channel, "TIMEOUT(digit)", READ_DEFAULT_DIGIT_S)
        key: str | None = None
        for file_name in (name for name in files.split("&") if name):
            if not self._prompts.lookup(file_name).exists:
                self._display.prompt_missing(file_name)
                continue  # Read skips what it cannot play
            key = await self._play(file_name, DTMF_KEYS, record)
            if key is not None:
                break
        if key is None:
            self._display.collecting(max_digits=max_digits, timeout_seconds=first)
            key = await self._keys.wait(seconds=first)
        digits, status = "", "TIMEOUT"
        while key is not None and key != SILENCE:
            if key == HANGUP:
                self._hang_up(channel, record)
                channel.variables.update({variable: digits, "READSTATUS": "HANGUP"})
                return asterisk.reply(-1)
            self._pressed(key, record)
            if key == "#":
                status = "OK"
                break
            digits += key
            if len(digits) >= max_digits:
                status = "OK"
                break
            key = await self._keys.wait(seconds=between)
        channel.variables.update({variable: digits, "READSTATUS": status})
        return asterisk.reply(0)

    @staticmethod
    def _seconds(channel: _Channel, function: str, default: float) -> float:
        try:
            return float(channel.variables.get(function, default))
        except ValueError:
            return default

    async def _wait_for_digit(
        self, args: list[str], channel: _Channel, record: CallRecord
    ) -> bytes:
        try:
            timeout_ms = int(args[0])
        except (IndexError, ValueError):
            return asterisk.usage_error(" Usage: WAIT FOR DIGIT <timeout>")
        key = await self._keys.wait(seconds=None if timeout_ms < 0 else timeout_ms / 1000)
        if key == HANGUP:
            self._hang_up(channel, record)
            return asterisk.reply(-1)
        if key is None or key == SILENCE:
            return asterisk.reply(0)
        self._pressed(key, record)
        return asterisk.reply(asterisk.key_code(key))

    def _pressed(self, key: str, record: CallRecord) -> None:
        record.keys.append(key)
        self._display.key(key)

    def _hang_up(self, channel: _Channel, record: CallRecord) -> None:
        channel.dead = True
        record.caller_hung_up = True
        self._display.note("you hung up")
