"""The FastAGI session: an `AgiChannel` over one `AgiConnection`, every reply under a deadline.

Owns the command round trip of a FastAGI call (write one line, read events until its reply,
note an out-of-band `HANGUP`) and the reading of the `agi_*` block before it. The command
semantics are `ivr.agi.commands.AgiCommands`'; the watchdog that enforces the deadlines is the
server's (`ivr.agi.server`).

Errors (tree in `ivr.agi.errors`): `AgiHangup` when the connection ends or is lost,
`AgiTimeout` once the watchdog aborted an overdue command, `AgiProtocolError` for bytes that are
not AGI (from `read_environment`: garbage, an early close or no complete block in time).
"""

from __future__ import annotations

import asyncio
import time

from ivr.agi.channel import AgiEnvironment
from ivr.agi.commands import AgiCommands
from ivr.agi.connection import AgiConnection
from ivr.agi.errors import AgiError, AgiHangup, AgiProtocolError, AgiTimeout
from ivr.agi.protocol import (
    NEED_DATA,
    AgiReply,
    EnvironmentReceived,
    HangupReceived,
    ReplyReceived,
)
from ivr.agi.settings import AgiSettings

_monotonic = time.monotonic


class FastAgiSession(AgiCommands):
    """An `AgiChannel` over one FastAGI connection.

    Each command sets a deadline instead of arming a timer: the server's watchdog
    (`expire_if_overdue`, every `timeout_check_interval_s`) aborts the connection of a session
    past its deadline, and the pending read then raises `AgiTimeout`. A timer per command costs
    more than the rest of a round trip's Python work; a reply that came too late would leave
    the stream out of step anyway, so the connection is not worth keeping.
    """

    def __init__(
        self, *, env: AgiEnvironment, connection: AgiConnection, settings: AgiSettings
    ) -> None:
        super().__init__(env)
        self._connection = connection
        self._parser = connection.parser
        self._transport = connection.transport
        self._command_timeout_s = settings.command_timeout_s
        self._media_timeout_s = settings.media_timeout_s
        self._deadline: float | None = None
        self._expired_command: bytes | None = None
        self._pending_command = b""

    def expire_if_overdue(self, now: float) -> bool:
        """Abort the connection when the pending command is past its deadline."""
        if self._deadline is None or now <= self._deadline:
            return False
        self._expired_command = self._pending_command
        self._transport.abort()
        return True

    async def _round_trip(self, line: bytes, *, media: bool, extra_s: float) -> AgiReply:
        if self._expired_command is not None:
            raise AgiTimeout(f"the connection was aborted after {self._expired_command!r}")
        connection = self._connection
        if connection.closed:
            raise self._connection_ended()
        budget = self._media_timeout_s if media else self._command_timeout_s
        self._pending_command = line
        self._deadline = _monotonic() + budget + extra_s
        try:
            self._transport.write(line)
            if connection.writing_paused:  # only when Asterisk stops reading
                await connection.writable()
            parser = self._parser
            while True:  # the read loop is inlined: this is the hot path of every call
                event = parser.next_event()
                if type(event) is ReplyReceived:
                    return event.reply
                if event is NEED_DATA:
                    if connection.closed:
                        if connection.protocol_error is not None:
                            raise connection.protocol_error
                        raise self._connection_ended()
                    await connection.more_data()
                elif type(event) is HangupReceived:
                    self._hung_up = True
                else:
                    raise AgiProtocolError(f"unexpected {event!r} after the environment")
        except ConnectionError as error:
            if self._expired_command is not None:
                raise AgiTimeout(f"no reply to {line!r} within {budget + extra_s:.1f} s") from error
            self._hung_up = True
            raise AgiHangup(f"connection lost: {error}") from error
        finally:
            self._deadline = None

    def _connection_ended(self) -> AgiError:
        if self._expired_command is not None:
            return AgiTimeout(f"no reply to {self._expired_command!r} in time")
        self._hung_up = True
        lost = self._connection.lost_error
        return AgiHangup(f"connection lost: {lost}" if lost else "Asterisk closed the connection")


async def read_environment(connection: AgiConnection, *, timeout_s: float) -> AgiEnvironment:
    """Read the `agi_*` block; AgiProtocolError on garbage, early close or timeout."""
    parser = connection.parser
    try:
        async with asyncio.timeout(timeout_s):
            while True:
                event = parser.next_event()
                if isinstance(event, EnvironmentReceived):
                    return event.env
                if event is not NEED_DATA:
                    raise AgiProtocolError(f"{event!r} before the environment")
                if connection.protocol_error is not None:
                    raise connection.protocol_error
                if connection.closed:
                    raise AgiProtocolError("peer closed before the end of the environment")
                await connection.more_data()
    except TimeoutError as error:
        raise AgiProtocolError(f"no complete environment within {timeout_s} s") from error
