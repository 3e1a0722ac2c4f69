"""panoramisk's AMI client, with the three faults we cannot live with taken out.

panoramisk 1.4 (the last release on PyPI) gives us the framing, the ActionID bookkeeping and the
event dispatch, which we keep. We override, and this module is the only place that knows:

- ``AMIProtocol.data_received`` decodes every TCP chunk with ``'ignore'`` *before* reassembling
  the message, so a UTF-8 character split across two reads vanishes (a Cyrillic caller name
  loses letters). ``ReassemblingProtocol`` splits on the blank line as bytes, then decodes each
  whole message with ``'replace'``.
- ``Manager.ping`` sends ``Action: Ping`` and never checks the pong, so a half-open connection
  stays "up" forever; ``Manager.connection_lost`` reconnects on a fixed timer of its own. Both are
  switched off in ``BridgeManager``: the bridge pings with a timeout and owns reconnecting (with
  backoff), so there is exactly one reconnect loop.
- Unanswered actions are queued by panoramisk and re-sent after a reconnect; ours carry their own
  timeouts, so ``BridgeManager`` drops that queue instead of replaying stale Originates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from panoramisk import manager as pm
from panoramisk.message import Message

BANNER = b"Asterisk Call Manager/"
SEPARATOR = b"\r\n\r\n"


class ReassemblingProtocol(pm.AMIProtocol):  # type: ignore[misc]
    """AMI framing on bytes: one message per blank line, decoded only when complete."""

    version: str | None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._pending = b""

    def data_received(self, data: bytes) -> None:
        buffer = self._pending + data
        if self.version is None and buffer.startswith(BANNER):
            line, sep, rest = buffer.partition(b"\r\n")
            if not sep:
                self._pending = buffer
                return
            self.version = line[len(BANNER) :].decode("ascii", "replace").strip()
            buffer = rest
        *messages, self._pending = buffer.split(SEPARATOR)
        for raw in messages:
            message = Message.from_line(raw.decode(self.encoding_name, "replace").strip())
            if message is not None:
                self.handle_message(message)

    @property
    def encoding_name(self) -> str:
        return str(getattr(self, "encoding", "utf-8"))


class BridgeManager(pm.Manager):  # type: ignore[misc]
    """A panoramisk Manager that neither pings blindly nor reconnects on its own."""

    pinger: asyncio.TimerHandle | None

    def __init__(self, *, on_lost: Callable[[Exception | None], None], **config: Any) -> None:
        super().__init__(protocol_factory=ReassemblingProtocol, **config)
        self._on_lost = on_lost

    def ping(self) -> None:
        """Disabled: the bridge's watchdog pings and checks the pong."""

    def connection_lost(self, exc: Exception | None) -> None:
        self._connected = False
        self.authenticated = False
        self.awaiting_actions.clear()
        self._on_lost(exc)

    def attach(self, transport: asyncio.BaseTransport, protocol: ReassemblingProtocol) -> Any:
        """Adopt a connection opened by the bridge; return the login action's future."""
        done: asyncio.Future[tuple[asyncio.BaseTransport, ReassemblingProtocol]] = (
            asyncio.get_running_loop().create_future()
        )
        done.set_result((transport, protocol))
        self.connection_made(done)
        if self.pinger is not None:
            self.pinger.cancel()
            self.pinger = None
        return self.authenticated_future

    def login(self, future: Any) -> bool:
        result = bool(super().login(future))
        if self.pinger is not None:
            self.pinger.cancel()
            self.pinger = None
        return result
