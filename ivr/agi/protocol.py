"""The AGI wire protocol without any I/O (sans-IO, as h11 does for HTTP).

Bytes go in with `AgiParser.feed()`, events come out of `next_event()`: first one
`EnvironmentReceived`, then one `ReplyReceived` per command, and `HangupReceived` whenever
Asterisk reports the caller gone. Written by hand because no maintained library parses AGI
correctly under asyncio: panoramisk 1.4 takes a `HANGUP` line as the next command's reply and
desyncs on multi-line 520; pyst2 drops GET DATA's `(timeout)` (see docs/agi.md).

What Asterisk sends (res_agi.c), all lines ending in LF, raw bytes decoded with
errors='replace' (names may be cut mid-character):
- environment: `agi_key: value` lines, then one blank line;
- `200 result=N [(data)] [endpos=N]`, `200 result= (timeout)`, `200 result=-1`;
- `100 result=0 Trying...` before the real reply (GOSUB): skipped;
- `510 Invalid or unknown command`, `511 Command Not Permitted on a dead channel…`;
- `520-Invalid command syntax.  Proper usage follows:` + usage lines + `520 End of proper
  usage.`, or a single `520 …` line;
- `HANGUP`, out of band, before or instead of a reply: it is reported as its own event and the
  reply still follows (`-1` or `511`), so replies never shift by one.

Errors: `AgiProtocolError` (tree in `ivr.agi.errors`) for anything else.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from ivr.agi.channel import AgiEnvironment
from ivr.agi.errors import AgiProtocolError

MAX_LINE_BYTES = 16 * 1024
MAX_ENVIRONMENT_LINES = 256

_REPLY_200 = re.compile(
    r"^200 result=(?P<result>\S*)(?: \((?P<data>.*)\))?(?: endpos=(?P<endpos>-?\d+))?\s*$"
)
_STATUS_LINE = re.compile(r"^(?P<code>\d{3})(?P<sep>[ -]|$)(?P<text>.*)$")


class AgiReply(NamedTuple):
    """One reply: status code, `result=` value, the parenthesised data, `endpos`, usage text.

    A NamedTuple rather than a frozen dataclass: one is built per command, and a tuple is
    several times cheaper to build."""

    code: int
    result: str = ""
    data: str | None = None
    endpos: int | None = None
    text: str = ""

    @property
    def result_int(self) -> int:
        """`result=` as an integer; AgiProtocolError when it is not one."""
        try:
            return int(self.result)
        except ValueError as error:
            raise AgiProtocolError(f"result {self.result!r} is not an integer") from error


@dataclass(frozen=True)
class EnvironmentReceived:
    env: AgiEnvironment


class ReplyReceived(NamedTuple):
    reply: AgiReply


@dataclass(frozen=True)
class HangupReceived:
    """Asterisk's unsolicited `HANGUP` line: the caller is gone."""


class NeedData(Enum):
    NEED_DATA = "need-data"


NEED_DATA = NeedData.NEED_DATA
AgiEvent = EnvironmentReceived | ReplyReceived | HangupReceived


def parse_environment(lines: list[str]) -> AgiEnvironment:
    """Build the environment from `agi_key: value` lines (without the closing blank line)."""
    raw: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if not sep or not key.startswith("agi_") or " " in key:
            raise AgiProtocolError(f"not an AGI environment line: {line[:80]!r}")
        raw[key] = value.strip()
    if "agi_request" not in raw and "agi_network_script" not in raw:
        raise AgiProtocolError("environment without agi_request or agi_network_script")
    arg_keys = sorted(
        (key for key in raw if key.startswith("agi_arg_") and key[8:].isdigit()),
        key=lambda key: int(key[8:]),
    )
    return AgiEnvironment(
        network_script=raw.get("agi_network_script", ""),
        request=raw.get("agi_request", ""),
        channel=raw.get("agi_channel", ""),
        language=raw.get("agi_language", "en") or "en",
        uniqueid=raw.get("agi_uniqueid", ""),
        callerid=raw.get("agi_callerid", ""),
        calleridname=raw.get("agi_calleridname", ""),
        dnid=raw.get("agi_dnid", ""),
        context=raw.get("agi_context", ""),
        extension=raw.get("agi_extension", ""),
        args=tuple(raw[key] for key in arg_keys),
        raw=raw,
    )


_PLAIN_RESULT_BYTES = b"-0123456789*#ABCD"
_new_tuple = tuple.__new__  # builds a NamedTuple without its Python-level __new__


def _parse_common_200(raw: bytes) -> AgiReply | None:
    """`200 result=X`, `200 result=X endpos=N`, `200 result=X (timeout)` with plain bytes
    operations (most replies of a call); None for any other form, which the regex parses.

    `raw` starts with `200 result=`, without its line ending. A fast path rather than the
    only parser: the regex keeps the odd forms (data with spaces or parentheses, a negative
    endpos, trailing blanks) exact."""
    rest = raw[11:]
    parts = rest.split()
    count = len(parts)
    if count == 0 or parts[0].translate(None, _PLAIN_RESULT_BYTES):
        return None  # an empty result, or one that is not plain digits and keys
    if count == 1 and len(parts[0]) == len(rest):
        return _new_tuple(
            AgiReply,
            (
                200,
                parts[0].decode("utf-8", "replace"),
                None,
                None,
                raw[4:].decode("utf-8", "replace"),
            ),
        )
    if count == 2 and len(parts[0]) + len(parts[1]) + 1 == len(rest):
        second = parts[1]
        if second.startswith(b"endpos=") and second[7:].isdigit():
            return _new_tuple(
                AgiReply,
                (
                    200,
                    parts[0].decode("utf-8", "replace"),
                    None,
                    int(second[7:]),
                    raw[4:].decode("utf-8", "replace"),
                ),
            )
        if second == b"(timeout)":
            return _new_tuple(
                AgiReply,
                (
                    200,
                    parts[0].decode("utf-8", "replace"),
                    "timeout",
                    None,
                    raw[4:].decode("utf-8", "replace"),
                ),
            )
    return None


def parse_reply_line(line: str) -> AgiReply:
    """Parse one complete single-line reply (not a 520 block, not HANGUP)."""
    if line.startswith("200 "):
        match = _REPLY_200.match(line)
        if match is None:
            raise AgiProtocolError(f"malformed 200 reply: {line[:80]!r}")
        result, data, endpos = match.group("result", "data", "endpos")
        return AgiReply(200, result, data, None if endpos is None else int(endpos), line[4:])
    match = _STATUS_LINE.match(line)
    if match is None:
        raise AgiProtocolError(f"not an AGI reply: {line[:80]!r}")
    return AgiReply(code=int(match.group("code")), text=match.group("text"))


_LINE_BREAK = re.compile(r"[\r\n\0]")
_BARE_WORD = re.compile(r'[^\s"\\]+')


def quote_argument(value: str) -> str:
    """Quote one argument the way Asterisk's parse_args() reads it back."""
    if _LINE_BREAK.search(value):
        raise ValueError(f"an AGI argument cannot contain a line break: {value!r}")
    if "\\" in value or '"' in value:
        value = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{value}"'


_NEEDS_QUOTING_CARE = re.compile(r'[\r\n\0"\\]')


def command_line(command: str, *quoted: str) -> bytes:
    """`command` (a literal such as "STREAM FILE") followed by `quoted` arguments."""
    if not quoted:
        return command.encode("utf-8") + b"\n"
    if _NEEDS_QUOTING_CARE.search("".join(quoted)) is None:  # the usual case: nothing to escape
        return (command + ' "' + '" "'.join(quoted) + '"\n').encode()
    return " ".join((command, *map(quote_argument, quoted))).encode("utf-8") + b"\n"


def format_command(*words: str, quoted: tuple[str, ...] = ()) -> bytes:
    """One command line: `words` as they are (command name, numbers), then `quoted` arguments."""
    for word in words:
        if _BARE_WORD.fullmatch(word) is None:
            raise ValueError(f"not a bare AGI word: {word!r}")
    parts = [*words, *(quote_argument(argument) for argument in quoted)]
    return (" ".join(parts) + "\n").encode("utf-8")


class AgiParser:
    """Turns the bytes Asterisk sends into events; keeps no socket."""

    def __init__(self, *, expect_environment: bool = True) -> None:
        """`expect_environment=False` when the environment was read by someone else (pyst2)."""
        self._partial = b""
        self._environment_lines: list[str] | None = [] if expect_environment else None
        self._usage_lines: list[str] | None = None
        self._events: deque[AgiEvent] = deque()

    @property
    def environment_done(self) -> bool:
        return self._environment_lines is None

    def feed(self, data: bytes) -> None:
        """Add bytes as they were read; events become available from `next_event()`."""
        if self._partial:
            data = self._partial + data
        elif (
            data.startswith(b"200 result=")
            and data.find(b"\n") == len(data) - 1
            and self._environment_lines is None
            and self._usage_lines is None
        ):  # the usual read: exactly one reply line
            raw = data[:-2] if data.endswith(b"\r\n") else data[:-1]
            reply = _parse_common_200(raw)
            if reply is not None:
                self._events.append(_new_tuple(ReplyReceived, (reply,)))
                return
        *lines, self._partial = data.split(b"\n")
        if len(self._partial) > MAX_LINE_BYTES:
            raise AgiProtocolError(f"line longer than {MAX_LINE_BYTES} bytes")
        for raw_line in lines:
            if raw_line.endswith(b"\r"):
                raw_line = raw_line[:-1]
            line = raw_line.decode("utf-8", errors="replace")
            if self._environment_lines is None and self._usage_lines is None:
                self._handle_reply_line(line)
            else:
                self._handle_line(line)

    def next_event(self) -> AgiEvent | NeedData:
        """The next complete event, or NEED_DATA when more bytes must be fed."""
        if self._events:
            return self._events.popleft()
        return NEED_DATA

    def _handle_line(self, line: str) -> None:
        if self._environment_lines is not None:
            self._handle_environment_line(line)
        elif self._usage_lines is not None:
            self._handle_usage_line(line)
        else:
            self._handle_reply_line(line)

    def _handle_environment_line(self, line: str) -> None:
        assert self._environment_lines is not None
        if line == "":
            if not self._environment_lines:
                raise AgiProtocolError("empty AGI environment")
            env = parse_environment(self._environment_lines)
            self._environment_lines = None
            self._events.append(EnvironmentReceived(env))
            return
        if len(self._environment_lines) >= MAX_ENVIRONMENT_LINES:
            raise AgiProtocolError(f"environment longer than {MAX_ENVIRONMENT_LINES} lines")
        self._environment_lines.append(line)

    def _handle_usage_line(self, line: str) -> None:
        assert self._usage_lines is not None
        if line.startswith("520 "):
            usage = "\n".join(self._usage_lines)
            self._usage_lines = None
            self._events.append(ReplyReceived(AgiReply(code=520, text=usage)))
        else:
            self._usage_lines.append(line)

    def _handle_reply_line(self, line: str) -> None:
        if line.startswith("200 "):
            self._events.append(ReplyReceived(parse_reply_line(line)))
        elif line == "HANGUP":
            self._events.append(HangupReceived())
        elif line == "":
            return  # a stray blank line carries nothing
        elif line.startswith("520-"):
            self._usage_lines = []
        elif line.startswith("100"):
            return  # "100 result=0 Trying...": the real reply follows
        else:
            self._events.append(ReplyReceived(parse_reply_line(line)))
