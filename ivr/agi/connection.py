"""One FastAGI connection as an `asyncio.BufferedProtocol`: bytes from Asterisk go straight
into the call's parser (`ivr.agi.protocol`), and the session waits on one future per read.

Owns the socket's side of a call: the shared receive buffer, end of stream and loss, write
back-pressure. It knows nothing of commands, deadlines or routes (`ivr.agi.session`,
`ivr.agi.server`). Written by hand with the server (see `ivr.agi.server` for why).

Errors (tree in `ivr.agi.errors`): the parser's `AgiProtocolError` is kept and raised on the next
`more_data()`; `writable()` raises `ConnectionResetError` when the connection was lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import cast

from ivr.agi.errors import AgiProtocolError
from ivr.agi.protocol import AgiParser

RECEIVE_BUFFER_BYTES = 64 * 1024


class AgiConnection(asyncio.BufferedProtocol):
    """One FastAGI connection: bytes from Asterisk go straight into the call's parser.

    An `asyncio.BufferedProtocol` rather than `StreamReader`/`StreamWriter`:
    - the socket is read with `recv_into` a receive buffer shared by all connections of the
      server (`buffer_updated` runs right after the read, before any other connection's), so
      a reply costs no 256 KiB allocation (`data_received` gets a fresh bytes object of the
      transport's `max_size` per read: an mmap, an mremap and a munmap per reply on Linux);
    - the session waits on one future that `buffer_updated` resolves, with no stream buffer in
      between, no `drain()` coroutine per command (the writer only waits when the transport
      pauses writing) and one task per call instead of two.
    The parser's `AgiProtocolError` (an over-long line) is kept and raised to the session on its
    next read; the connection is aborted at once.
    """

    def __init__(
        self, *, receive_buffer: memoryview, on_connected: Callable[[AgiConnection], None]
    ) -> None:
        self.parser = AgiParser()
        self._receive_buffer = receive_buffer
        self._on_connected = on_connected
        self._loop = asyncio.get_running_loop()  # once: each lookup costs a getpid() syscall
        self._transport: asyncio.Transport | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._write_waiter: asyncio.Future[None] | None = None
        self._writing_paused = False
        self.closed = False
        self.lost_error: Exception | None = None
        self.protocol_error: AgiProtocolError | None = None

    @property
    def transport(self) -> asyncio.Transport:
        if self._transport is None:
            raise RuntimeError("not connected")
        return self._transport

    @property
    def peer(self) -> object:
        return self.transport.get_extra_info("peername")

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (uvloop's does not subclass asyncio.Transport: no isinstance check)
        self._transport = cast(asyncio.Transport, transport)
        self._on_connected(self)

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._receive_buffer

    def buffer_updated(self, nbytes: int) -> None:
        try:
            self.parser.feed(self._receive_buffer[:nbytes].tobytes())
        except AgiProtocolError as error:
            self.protocol_error = error
            self.transport.abort()
        self._wake()

    def eof_received(self) -> bool:
        self.closed = True
        self._wake()
        return False  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.lost_error = exc
        self._wake()
        waiter, self._write_waiter = self._write_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def pause_writing(self) -> None:
        self._writing_paused = True

    def resume_writing(self) -> None:
        self._writing_paused = False
        waiter, self._write_waiter = self._write_waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def more_data(self) -> asyncio.Future[None]:
        """A future done when more bytes were fed to the parser or the connection ended.

        A future rather than a coroutine: the session awaits it directly, one frame less on
        every reply. Raises the parser's AgiProtocolError if one was kept."""
        if self.protocol_error is not None:
            raise self.protocol_error
        waiter = self._loop.create_future()
        if self.closed:
            waiter.set_result(None)
        else:
            self._waiter = waiter
        return waiter

    @property
    def writing_paused(self) -> bool:
        return self._writing_paused

    async def writable(self) -> None:
        """Until the transport's buffer drains below its low-water mark (or the end)."""
        if self._writing_paused and not self.closed:
            waiter = self._loop.create_future()
            self._write_waiter = waiter
            await waiter
        if self.closed and self.lost_error is not None:
            raise ConnectionResetError(str(self.lost_error))

