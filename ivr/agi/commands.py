"""AGI command semantics shared by the FastAGI session and the classic AGI adapter.

A transport subclasses `AgiCommands` and implements `_round_trip()` (write one command line,
return its reply, record an out-of-band hangup in `_hung_up`); this class turns the typed
methods of `AgiChannel` into command lines and replies into values or typed errors.

`result=-1` is ambiguous in AGI: a hangup during the command and a failed command on a live
channel (a missing sound file) look the same, and Asterisk's `HANGUP` line only follows the
reply. So on `-1` without a known hangup we ask `CHANNEL STATUS`, which a dead channel refuses
with 511 (or precedes with `HANGUP`): one extra round trip, only on the error path.

Errors (tree in `ivr.agi.errors`), from a reply: 511, `HANGUP` or `-1` on a dead channel →
`AgiDeadChannel`/`AgiHangup`; 510 → `AgiInvalidCommand`; 520 → `AgiUsageError` with the usage
text; `-1` on a live channel or EXEC of an unknown application → `AgiAppError`; an unexpected
status code or result → `AgiProtocolError`. `AgiTimeout` comes from the transport's reads.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Final

from ivr.agi.channel import AgiEnvironment, DigitsResult
from ivr.agi.errors import (
    AgiAppError,
    AgiDeadChannel,
    AgiHangup,
    AgiInvalidCommand,
    AgiProtocolError,
    AgiUsageError,
)
from ivr.agi.protocol import AgiReply, command_line, format_command

_DTMF_KEYS = "0123456789*#ABCD"
READ_VARIABLE: Final = "IVR_READ"  # where Read() leaves the digits of read_digits
READ_MAX_DIGITS: Final = 255  # Read()'s own limit
AGI_LINE_LIMIT: Final = 2047  # res_agi reads a command into 2048 bytes (AGI_BUF_LEN)


def _digit_from_code(result: int) -> str | None:
    """Asterisk reports a key as its ASCII code and no key as 0."""
    if result == 0:
        return None
    key = chr(result) if 0 < result < 128 else ""
    if key == "" or key not in _DTMF_KEYS:
        raise AgiProtocolError(f"result {result} is not the code of a key")
    return key


class AgiCommands(ABC):
    """The `AgiChannel` methods over an abstract command round trip."""

    def __init__(self, env: AgiEnvironment) -> None:
        self._env = env
        self._hung_up = False
        self._timeouts: dict[str, str] = {}  # TIMEOUT(response|digit) as last set on the channel

    @property
    def env(self) -> AgiEnvironment:
        return self._env

    @property
    def hung_up(self) -> bool:
        return self._hung_up

    @abstractmethod
    async def _round_trip(self, line: bytes, *, media: bool, extra_s: float) -> AgiReply:
        """Send one command line and return its reply.

        The transport bounds the wait: its media timeout when `media` (the command plays
        audio or waits for the caller), else its command timeout; plus `extra_s`.
        """

    async def _command(self, line: bytes, *, media: bool = False, extra_s: float = 0.0) -> AgiReply:
        reply = await self._round_trip(line, media=media, extra_s=extra_s)
        if reply.code != 200:
            self._raise_for_status(reply, line)
        return reply

    def _raise_for_status(self, reply: AgiReply, line: bytes) -> None:
        """Raise the error a non-200 reply stands for."""
        command = line.decode("utf-8", errors="replace").strip()
        if reply.code == 510:
            raise AgiInvalidCommand(f"{command!r}: {reply.text}")
        if reply.code == 511:
            self._hung_up = True
            raise AgiDeadChannel(f"{command!r}: {reply.text}")
        if reply.code == 520:
            raise AgiUsageError(command, reply.text)
        raise AgiProtocolError(f"{command!r}: unexpected status {reply.code} {reply.text!r}")

    async def _media_command(self, line: bytes, *, extra_s: float = 0.0) -> AgiReply:
        """A command whose `result=-1` means hangup or failure: tell them apart.

        The media methods below inline this (one coroutine frame less on every resume of the
        hot path); `_raise_after_failure` is the shared slow path."""
        reply = await self._round_trip(line, media=True, extra_s=extra_s)
        if reply.code != 200:
            self._raise_for_status(reply, line)
        if reply.result == "-1":
            await self._raise_after_failure(line)
        return reply

    async def _raise_after_failure(self, line: bytes) -> None:
        """After result=-1: AgiHangup if the caller is gone, else AgiAppError."""
        if not self._hung_up:
            await self._probe_channel()
        if self._hung_up:
            raise AgiHangup(f"caller hung up during {line.decode(errors='replace').strip()!r}")
        raise AgiAppError(f"{line.decode(errors='replace').strip()!r} failed (result=-1)")

    async def _probe_channel(self) -> None:
        """After -1: CHANNEL STATUS gets 511 (or a HANGUP first) when the caller is gone."""
        try:
            await self._command(command_line("CHANNEL STATUS"))
        except AgiDeadChannel:
            return

    async def stream_file(self, name: str, escape_digits: str = "") -> str | None:
        if self._hung_up:
            raise AgiHangup("the caller has hung up")
        line = command_line("STREAM FILE", name, escape_digits)
        reply = await self._round_trip(line, media=True, extra_s=0.0)
        if reply.code != 200:
            self._raise_for_status(reply, line)
        if reply.result == "0":
            return None
        if reply.result == "-1":
            await self._raise_after_failure(line)
        return _digit_from_code(reply.result_int)

    async def get_data(self, name: str, timeout_ms: int, max_digits: int) -> DigitsResult:
        if self._hung_up:
            raise AgiHangup("the caller has hung up")
        reply = await self._media_command(
            command_line("GET DATA", name, str(timeout_ms), str(max_digits)),
            extra_s=max(timeout_ms, 0) / 1000 * (max_digits + 1),
        )
        digits = reply.result
        if any(key not in _DTMF_KEYS for key in digits):
            raise AgiProtocolError(f"GET DATA returned {digits!r}")
        return DigitsResult(digits=digits, timed_out=reply.data == "timeout")

    async def wait_for_digit(self, timeout_ms: int) -> str | None:
        if self._hung_up:
            raise AgiHangup("the caller has hung up")
        reply = await self._media_command(
            command_line(f"WAIT FOR DIGIT {int(timeout_ms)}"),
            extra_s=max(timeout_ms, 0) / 1000,
        )
        return _digit_from_code(reply.result_int)

    async def read_digits(
        self,
        names: Sequence[str],
        *,
        max_digits: int,
        first_digit_timeout_ms: int,
        inter_digit_timeout_ms: int,
    ) -> DigitsResult:
        """Asterisk's ``Read()``: play ``names`` in turn, any key during any of them stops the
        playback and starts the answer, then collect up to ``max_digits`` keys (``#`` ends, not
        returned). ``first_digit_timeout_ms`` is the silence allowed after the last prompt,
        ``inter_digit_timeout_ms`` after each key; a file Asterisk cannot play is skipped.

        One command collects the whole answer, so no key falls between two commands (where
        Asterisk drops it). Read() takes its two timeouts from the channel's
        ``TIMEOUT(response)`` and ``TIMEOUT(digit)`` (its own timeout argument would replace
        both, as would GET DATA's; docs/agi.md): they are set here, only when they change.
        """
        if not names:
            raise ValueError("read_digits needs at least one prompt")
        if not 1 <= max_digits <= READ_MAX_DIGITS:
            raise ValueError(f"max_digits must be 1..{READ_MAX_DIGITS}, not {max_digits}")
        if self._hung_up:
            raise AgiHangup("the caller has hung up")
        await self._set_timeout("TIMEOUT(response)", first_digit_timeout_ms)
        await self._set_timeout("TIMEOUT(digit)", inter_digit_timeout_ms)
        data = f"{READ_VARIABLE},{'&'.join(names)},{max_digits}"
        line = format_command("EXEC", "Read", quoted=(data,))
        if len(line) > AGI_LINE_LIMIT:
            raise ValueError(f"Read of {len(names)} prompts is {len(line)} bytes, too long")
        await self._media_command(
            line,
            extra_s=(first_digit_timeout_ms + inter_digit_timeout_ms * max_digits) / 1000,
        )
        digits = await self.get_variable(READ_VARIABLE) or ""
        if any(key not in _DTMF_KEYS for key in digits):
            raise AgiProtocolError(f"Read left {digits!r}")
        if digits:
            return DigitsResult(digits=digits, timed_out=False)
        # nothing keyed: silence, or # at once (READSTATUS OK)
        return DigitsResult(digits="", timed_out=await self.get_variable("READSTATUS") != "OK")

    async def _set_timeout(self, function: str, milliseconds: int) -> None:
        seconds = f"{max(milliseconds, 1) / 1000:.3f}"
        if self._timeouts.get(function) != seconds:
            await self.set_variable(function, seconds)
            self._timeouts[function] = seconds

    async def set_variable(self, name: str, value: str) -> None:
        await self._command(command_line("SET VARIABLE", name, value))

    async def get_variable(self, name: str) -> str | None:
        reply = await self._command(command_line("GET VARIABLE", name))
        if reply.result == "1":
            return reply.data if reply.data is not None else ""
        return None

    async def exec_app(self, app: str, data: str = "") -> int:
        reply = await self._media_command(format_command("EXEC", app, quoted=(data,)))
        code = reply.result_int
        if code == -2:
            raise AgiAppError(f"unknown dialplan application {app!r}")
        return code

    async def verbose(self, message: str, level: int = 1) -> None:
        await self._command(command_line("VERBOSE", message, str(level)))

    async def hangup(self) -> None:
        if self._hung_up:
            return
        await self._command(command_line("HANGUP"))
        self._hung_up = True
