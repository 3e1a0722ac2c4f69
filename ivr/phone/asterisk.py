"""The Asterisk side of the AGI protocol, as pure functions: what the terminal phone says.

`ivr.agi.protocol` parses what Asterisk sends (the server side); the phone needs the opposite
direction: split a command line the way res_agi.c's ``parse_args()`` does, and format the
environment block and the replies byte for byte as Asterisk does, so the FastAGI server cannot
tell the phone from a real channel. Written by hand because no library implements Asterisk's
side of AGI; the forms follow res_agi.c (see /work/shared/reference/agi-ami-protocols.md):

- environment: ``agi_key: value`` lines, one blank line;
- ``200 result=N [(data)] [endpos=N]``, ``200 result=<digits> (timeout)``, ``200 result=-1``;
- ``510 Invalid or unknown command``;
- ``511 Command Not Permitted on a dead channel or intercept routine``;
- the multi-line usage error ``520-Invalid command syntax.  Proper usage follows:`` … ``520 End
  of proper usage.``;
- ``HANGUP`` out of band when the caller hangs up.

Errors (tree in :mod:`ivr.phone.errors`): :class:`AgiSyntaxError` for a line that is not a
command at all.
"""

from __future__ import annotations

from collections.abc import Mapping

from ivr.phone.errors import AgiSyntaxError

HANGUP_LINE = b"HANGUP\n"
INVALID_COMMAND = b"510 Invalid or unknown command\n"
DEAD_CHANNEL = b"511 Command Not Permitted on a dead channel or intercept routine\n"

# Commands that Asterisk still runs on a dead channel (res_agi.c command table, dead flag 1).
ALLOWED_ON_DEAD_CHANNEL = frozenset(
    {
        "EXEC",
        "GET VARIABLE",
        "GET FULL VARIABLE",
        "SET VARIABLE",
        "VERBOSE",
        "NOOP",
        "DATABASE GET",
        "DATABASE PUT",
        "DATABASE DEL",
        "DATABASE DELTREE",
    }
)

# Every command name the phone understands, longest first so "GET FULL VARIABLE" wins over "GET".
KNOWN_COMMANDS = (
    "CONTROL STREAM FILE",
    "GET FULL VARIABLE",
    "WAIT FOR DIGIT",
    "CHANNEL STATUS",
    "SET VARIABLE",
    "GET VARIABLE",
    "STREAM FILE",
    "SAY DIGITS",
    "SAY NUMBER",
    "GET DATA",
    "ANSWER",
    "VERBOSE",
    "HANGUP",
    "EXEC",
    "NOOP",
)


def split_arguments(line: str) -> list[str]:
    """Split a command line into words as res_agi.c's parse_args() does.

    Space or tab separates words; a double quote starts or ends a group in which spaces are
    kept; a backslash takes the next character literally; ``""`` is an empty word.
    """
    words: list[str] = []
    current: list[str] = []
    in_word = False
    quoted = False
    escaped = False
    for character in line.rstrip("\r\n"):
        if escaped:
            current.append(character)
            escaped = False
            in_word = True
        elif character == "\\":
            escaped = True
        elif character == '"':
            quoted = not quoted
            in_word = True
        elif character in " \t" and not quoted:
            if in_word:
                words.append("".join(current))
                current = []
                in_word = False
        else:
            current.append(character)
            in_word = True
    if quoted or escaped:
        raise AgiSyntaxError(f"unterminated quote or escape in {line!r}")
    if in_word:
        words.append("".join(current))
    return words


def match_command(words: list[str]) -> tuple[str, list[str]] | None:
    """The command name (upper case) and its arguments, or None for an unknown command."""
    upper = [word.upper() for word in words]
    for name in KNOWN_COMMANDS:
        parts = name.split(" ")
        if upper[: len(parts)] == parts:
            return name, words[len(parts) :]
    return None


def environment_block(variables: Mapping[str, str]) -> bytes:
    """The ``agi_*`` block Asterisk sends first, ended by a blank line."""
    lines = [f"{name}: {value}\n" for name, value in variables.items()]
    return ("".join(lines) + "\n").encode("utf-8")


def reply(result: int | str, *, data: str | None = None, endpos: int | None = None) -> bytes:
    """``200 result=N [(data)] [endpos=N]``."""
    line = f"200 result={result}"
    if data is not None:
        line += f" ({data})"
    if endpos is not None:
        line += f" endpos={endpos}"
    return (line + "\n").encode("utf-8")


def digits_reply(digits: str, *, timed_out: bool) -> bytes:
    """GET DATA's reply: ``200 result=123``, ``result=12 (timeout)``, ``result= (timeout)``."""
    return reply(digits, data="timeout" if timed_out else None)


def usage_error(usage: str) -> bytes:
    """The multi-line 520 block Asterisk sends for a command with the wrong arguments."""
    lines = [
        "520-Invalid command syntax.  Proper usage follows:",
        usage,
        "520 End of proper usage.",
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def key_code(key: str) -> int:
    """The ``result=`` of a key: its ASCII code (49 for '1'), as Asterisk reports DTMF."""
    return ord(key)
