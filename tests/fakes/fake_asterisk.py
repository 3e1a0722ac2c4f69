"""A fake Asterisk that plays a scripted caller against our AGI transports.

`FakeAsterisk(port=…, caller=[…]).run()` connects to the FastAGI server over TCP as Asterisk
does, sends the `agi_*` block, answers every command like res_agi.c and returns a `Transcript`
of everything the server did. `run_classic_agi(argv, caller=[…])` does the same for a classic
AGI script run as a subprocess on stdin/stdout (a hangup there is a SIGHUP, as in Asterisk).

The caller is a list of events consumed, in order, by the commands that wait for the caller:

- `Press("2")`, `Press("12345678#")`: keys. STREAM FILE takes one key only when it is in its
  escape digits (the reply is the key's ASCII code, with `endpos`); GET DATA takes keys until
  `#` (not returned) or its maximum; WAIT FOR DIGIT takes one key. Keys not taken stay queued
  (typeahead) for the next command that waits.
- `Silence()`: GET DATA ends with `(timeout)` (keeping any digits), WAIT FOR DIGIT returns 0.
  `EXEC Read(var,f1&f2…,max)` plays its files until a key is queued, then takes keys as GET
  DATA does; it sets `var` and `READSTATUS` (OK on `#` or max, TIMEOUT on silence).
  STREAM FILE plays to its end without consuming it.
- `HangUp()`: the caller hangs up during the next STREAM FILE / GET DATA / WAIT FOR DIGIT /
  EXEC: that command gets `result=-1`, then `HANGUP` follows. `HangUp(between_commands=True)`:
  the caller hangs up right after the previous reply, so `HANGUP` arrives before the next reply.
- When the script has run out, GET DATA and WAIT FOR DIGIT get a hangup (the caller gives up);
  STREAM FILE still plays to its end, so a goodbye prompt is heard.

Like Asterisk: a file not in `sound_files` gives `result=-1` (channel alive); after the hangup
only EXEC, GET/SET VARIABLE, VERBOSE, NOOP are allowed, the rest get 511; unknown commands get
510, missing arguments a multi-line 520. `CHANNEL(language)` is readable and writable.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import signal
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_unique_ids = itertools.count(1)


@dataclass(frozen=True)
class Press:
    keys: str


@dataclass(frozen=True)
class Silence:
    pass


@dataclass(frozen=True)
class HangUp:
    between_commands: bool = False


CallerEvent = Press | Silence | HangUp


@dataclass
class Transcript:
    """Everything the AGI side did during one call."""

    commands: list[str] = field(default_factory=list)
    set_variables: list[tuple[str, str]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    played: list[str] = field(default_factory=list)
    executed: list[tuple[str, str]] = field(default_factory=list)
    caller_hung_up: bool = False
    agi_hung_up: bool = False
    connection_reset: bool = False
    remaining_events: list[CallerEvent] = field(default_factory=list)

    def variable(self, name: str) -> str | None:
        return self.variables.get(name)


_DEAD_CHANNEL_ALLOWED = {
    "EXEC",
    "GET VARIABLE",
    "GET FULL VARIABLE",
    "SET VARIABLE",
    "VERBOSE",
    "NOOP",
    "DATABASE",
}
_USAGE = {
    "STREAM FILE": "Usage: STREAM FILE <filename> <escape_digits> [<sample offset>]",
    "GET DATA": "Usage: GET DATA <file to be streamed> [timeout] [maxdigits]",
    "WAIT FOR DIGIT": "Usage: WAIT FOR DIGIT <timeout>",
    "SET VARIABLE": "Usage: SET VARIABLE <variablename> <value>",
    "GET VARIABLE": "Usage: GET VARIABLE <variablename>",
    "EXEC": "Usage: EXEC <application> <options>",
    "VERBOSE": "Usage: VERBOSE <message> <level>",
}
_MIN_ARGS = {
    "STREAM FILE": 2,
    "GET DATA": 1,
    "WAIT FOR DIGIT": 1,
    "SET VARIABLE": 2,
    "GET VARIABLE": 1,
    "EXEC": 1,
    "VERBOSE": 1,
}
_COMMANDS = (
    "STREAM FILE",
    "GET DATA",
    "WAIT FOR DIGIT",
    "SET VARIABLE",
    "GET VARIABLE",
    "GET FULL VARIABLE",
    "CHANNEL STATUS",
    "EXEC",
    "VERBOSE",
    "ANSWER",
    "HANGUP",
    "NOOP",
)
_ENDPOS_PLAYED = 16000


def split_arguments(line: str) -> list[str]:
    """Split a command line like Asterisk's parse_args(): spaces, quotes, backslash escapes."""
    words: list[str] = []
    current: list[str] = []
    in_word = in_quotes = escaped = False
    for char in line:
        if escaped:
            current.append(char)
            escaped = False
            in_word = True
        elif char == "\\":
            escaped = True
        elif char == '"':
            in_quotes = not in_quotes
            in_word = True
        elif char in " \t" and not in_quotes:
            if in_word:
                words.append("".join(current))
                current, in_word = [], False
        else:
            current.append(char)
            in_word = True
    if in_word:
        words.append("".join(current))
    return words


class AsteriskSimulator:
    """Asterisk's side of AGI without I/O: a command line in, reply lines out."""

    def __init__(
        self,
        *,
        caller: Iterable[CallerEvent],
        sound_files: Collection[str] | None = None,
        language: str = "cs",
    ) -> None:
        self._events: deque[CallerEvent] = deque(caller)
        self._sound_files = sound_files
        self.transcript = Transcript(variables={"CHANNEL(language)": language})
        self.dead = False
        self._hangup_notice = False

    def take_hangup_notice(self) -> bool:
        """True once after the caller hung up: the transport then tells the AGI side."""
        notice, self._hangup_notice = self._hangup_notice, False
        return notice

    def start(self) -> None:
        """Before the first command: the caller may already be gone."""
        self._hang_up_between_commands()

    def handle(self, line: str) -> list[str]:
        self.transcript.commands.append(line)
        words = split_arguments(line)
        name = next(
            (c for c in _COMMANDS if [w.upper() for w in words[: c.count(" ") + 1]] == c.split()),
            None,
        )
        if name is None:
            return ["510 Invalid or unknown command"]
        args = words[name.count(" ") + 1 :]
        if len(args) < _MIN_ARGS.get(name, 0):
            return [
                "520-Invalid command syntax.  Proper usage follows:",
                _USAGE[name],
                "520 End of proper usage.",
            ]
        if self.dead and name not in _DEAD_CHANNEL_ALLOWED:
            return ["511 Command Not Permitted on a dead channel or intercept routine"]
        replies = getattr(self, "_" + name.lower().replace(" ", "_"))(args)
        if not self.dead:
            self._hang_up_between_commands()
        return list(replies)

    def _hang_up_between_commands(self) -> None:
        if (
            self._events
            and isinstance(self._events[0], HangUp)
            and self._events[0].between_commands
        ):
            self._events.popleft()
            self._caller_hangs_up()

    def _caller_hangs_up(self) -> None:
        self.dead = True
        self.transcript.caller_hung_up = True
        self._hangup_notice = True
        self.transcript.remaining_events = list(self._events)

    def _next_event(self) -> CallerEvent:
        return self._events[0] if self._events else HangUp()

    def _take_event(self) -> CallerEvent:
        return self._events.popleft() if self._events else HangUp()

    def _take_key(self) -> str:
        event = self._events.popleft()
        assert isinstance(event, Press)
        if len(event.keys) > 1:
            self._events.appendleft(Press(event.keys[1:]))
        return event.keys[0]

    def _file_exists(self, name: str) -> bool:
        return self._sound_files is None or name in self._sound_files

    def _stream_file(self, args: list[str]) -> list[str]:
        name, escape_digits = args[0], args[1]
        if not self._file_exists(name):
            return ["200 result=-1 endpos=0"]
        self.transcript.played.append(name)
        event = self._events[0] if self._events else None  # an ended script listens on
        if isinstance(event, HangUp):
            self._take_event()
            self._caller_hangs_up()
            return ["200 result=-1 endpos=4000"]
        if isinstance(event, Press) and event.keys[0] in escape_digits:
            return [f"200 result={ord(self._take_key())} endpos=8000"]
        return [f"200 result=0 endpos={_ENDPOS_PLAYED}"]

    def _get_data(self, args: list[str]) -> list[str]:
        name = args[0]
        max_digits = int(args[2]) if len(args) > 2 else 1024
        if not self._file_exists(name):
            return ["200 result=-1"]
        self.transcript.played.append(name)
        digits = ""
        while True:
            event = self._next_event()
            if isinstance(event, Press):
                key = self._take_key()
                if key == "#":
                    return [f"200 result={digits}"]
                digits += key
                if len(digits) >= max_digits:
                    return [f"200 result={digits}"]
            elif isinstance(event, Silence):
                self._take_event()
                return [f"200 result={digits} (timeout)"]
            else:
                self._take_event()
                self._caller_hangs_up()
                return ["200 result=-1"]

    def _wait_for_digit(self, args: list[str]) -> list[str]:
        event = self._next_event()
        if isinstance(event, Press):
            return [f"200 result={ord(self._take_key())}"]
        self._take_event()
        if isinstance(event, Silence):
            return ["200 result=0"]
        self._caller_hangs_up()
        return ["200 result=-1"]

    def _set_variable(self, args: list[str]) -> list[str]:
        self.transcript.set_variables.append((args[0], args[1]))
        self.transcript.variables[args[0]] = args[1]
        return ["200 result=1"]

    def _get_variable(self, args: list[str]) -> list[str]:
        value = self.transcript.variables.get(args[0])
        return ["200 result=0"] if value is None else [f"200 result=1 ({value})"]

    _get_full_variable = _get_variable

    def _channel_status(self, args: list[str]) -> list[str]:
        return ["200 result=6"]

    def _exec(self, args: list[str]) -> list[str]:
        self.transcript.executed.append((args[0], args[1] if len(args) > 1 else ""))
        if args[0].lower() == "read":
            return self._exec_read(args[1] if len(args) > 1 else "")
        event = self._events[0] if self._events else None
        if isinstance(event, HangUp) and not event.between_commands:
            self._take_event()
            self._caller_hangs_up()
            return ["200 result=-1"]
        return ["200 result=0"]

    def _exec_read(self, data: str) -> list[str]:
        """``Read(var,f1&f2…,max)``: the files play until a key is queued (that file is the
        last one played), then keys are taken as by GET DATA; sets ``var`` and READSTATUS."""
        variable, files_arg, max_arg, *_ = [*data.split(","), "", ""]
        max_digits = int(max_arg) if max_arg and 1 <= int(max_arg) <= 255 else 255
        for name in (name for name in files_arg.split("&") if name):
            if not self._file_exists(name):
                continue  # Read skips a file it cannot play
            self.transcript.played.append(name)
            if self._events and isinstance(self._events[0], Press | HangUp):
                break
        digits, status = "", "TIMEOUT"
        while True:
            event = self._next_event()
            if isinstance(event, Press):
                key = self._take_key()
                if key == "#":
                    status = "OK"
                    break
                digits += key
                if len(digits) >= max_digits:
                    status = "OK"
                    break
            elif isinstance(event, Silence):
                self._take_event()
                break
            else:
                self._take_event()
                self._caller_hangs_up()
                self.transcript.variables.update({variable: digits, "READSTATUS": "HANGUP"})
                return ["200 result=-1"]
        self.transcript.variables.update({variable: digits, "READSTATUS": status})
        return ["200 result=0"]

    def _verbose(self, args: list[str]) -> list[str]:
        return ["200 result=1"]

    def _answer(self, args: list[str]) -> list[str]:
        return ["200 result=0"]

    def _noop(self, args: list[str]) -> list[str]:
        return ["200 result=0"]

    def _hangup(self, args: list[str]) -> list[str]:
        self.dead = True
        self.transcript.agi_hung_up = True
        self._hangup_notice = True
        return ["200 result=1"]


def agi_environment(
    *,
    network_script: str | None,
    request: str,
    language: str = "cs",
    callerid: str = "+420777123456",
    uniqueid: str | None = None,
    args: Sequence[str] = (),
    extra: Mapping[str, str] | None = None,
) -> bytes:
    """The `agi_*` block Asterisk sends, ending with the blank line."""
    env: dict[str, str] = {}
    if network_script is not None:
        env["agi_network"] = "yes"
        env["agi_network_script"] = network_script
    env.update(
        {
            "agi_request": request,
            "agi_channel": "PJSIP/caller-00000001",
            "agi_language": language,
            "agi_type": "PJSIP",
            "agi_uniqueid": uniqueid or f"1764270000.{next(_unique_ids)}",
            "agi_version": "20.10.0",
            "agi_callerid": callerid,
            "agi_calleridname": "unknown",
            "agi_callingpres": "0",
            "agi_callingani2": "0",
            "agi_callington": "0",
            "agi_callingtns": "0",
            "agi_dnid": "2000",
            "agi_rdnis": "unknown",
            "agi_context": "ivr-booking",
            "agi_extension": "2000",
            "agi_priority": "2",
            "agi_enhanced": "0.0",
            "agi_accountcode": "",
            "agi_threadid": "140000000000001",
        }
    )
    for index, value in enumerate(args, start=1):
        env[f"agi_arg_{index}"] = value
    env.update(extra or {})
    return "".join(f"{key}: {value}\n" for key, value in env.items()).encode() + b"\n"


class FakeAsterisk:
    """Plays one scripted call against a FastAGI server over TCP."""

    def __init__(
        self,
        *,
        port: int,
        caller: Iterable[CallerEvent] = (),
        host: str = "127.0.0.1",
        script: str = "booking",
        language: str = "cs",
        callerid: str = "+420777123456",
        sound_files: Collection[str] | None = None,
        reply_timeout_s: float = 5.0,
    ) -> None:
        self._host, self._port, self._script = host, port, script
        self._language, self._callerid = language, callerid
        self._timeout = reply_timeout_s
        self.simulator = AsteriskSimulator(
            caller=caller, sound_files=sound_files, language=language
        )

    async def run(self) -> Transcript:
        """Connect, answer commands until the server closes, return the transcript."""
        reader, writer = await asyncio.open_connection(self._host, self._port)
        try:
            await self._converse(reader, writer)
        except ConnectionError:
            self.simulator.transcript.connection_reset = True
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):  # the server closed first
                await writer.wait_closed()
        return self.simulator.transcript

    def _environment(self) -> bytes:
        return agi_environment(
            network_script=self._script,
            request=f"agi://{self._host}:{self._port}/{self._script}",
            language=self._language,
            callerid=self._callerid,
        )

    async def _converse(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(self._environment())
        self.simulator.start()
        self._send_hangup_notice(writer)
        await writer.drain()
        while True:
            line = await asyncio.wait_for(reader.readline(), self._timeout)
            if not line:
                break
            replies = self.simulator.handle(line.decode("utf-8", "replace").rstrip("\n"))
            writer.write("".join(f"{reply}\n" for reply in replies).encode())
            self._send_hangup_notice(writer)
            await writer.drain()

    def _send_hangup_notice(self, writer: asyncio.StreamWriter) -> None:
        if self.simulator.take_hangup_notice():
            writer.write(b"HANGUP\n")


async def run_classic_agi(
    command: Sequence[str],
    *,
    args: Sequence[str] = (),
    caller: Iterable[CallerEvent] = (),
    language: str = "cs",
    callerid: str = "+420777123456",
    sound_files: Collection[str] | None = None,
    env: Mapping[str, str] | None = None,
    reply_timeout_s: float = 10.0,
) -> tuple[Transcript, int, bytes]:
    """Run a classic AGI script as Asterisk does: `AGI(command,args…)` becomes the process
    `command args…` on stdin/stdout, with `agi_arg_N` in the environment and SIGHUP on hangup.

    Returns the transcript, the exit code and what the script wrote to stderr."""
    process = await asyncio.create_subprocess_exec(
        *command,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, **(env or {})},
    )
    assert process.stdin is not None and process.stdout is not None
    assert process.stderr is not None
    simulator = AsteriskSimulator(caller=caller, sound_files=sound_files, language=language)
    stderr_task = asyncio.ensure_future(process.stderr.read())
    try:
        process.stdin.write(
            agi_environment(
                network_script=None,
                request=command[-1],
                language=language,
                callerid=callerid,
                args=args,
            )
        )
        simulator.start()
        await process.stdin.drain()
        if simulator.take_hangup_notice():
            process.send_signal(signal.SIGHUP)
        while True:
            line = await asyncio.wait_for(process.stdout.readline(), reply_timeout_s)
            if not line:
                break
            replies = simulator.handle(line.decode("utf-8", "replace").rstrip("\n"))
            try:
                process.stdin.write("".join(f"{reply}\n" for reply in replies).encode())
                await process.stdin.drain()
            except ConnectionError:
                break
            if simulator.take_hangup_notice() and process.returncode is None:
                process.send_signal(signal.SIGHUP)
        returncode = await asyncio.wait_for(process.wait(), reply_timeout_s)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    return simulator.transcript, returncode, await stderr_task
