"""A loopback TCP relay that a fault test can cut, to drop a live connection for real.

Cutting aborts every relayed connection and stops listening (new connections are refused, as
by a host that went away); restoring listens again on the same port. Written by hand: it is a
dozen lines of asyncio streams, and no test library offers a cuttable relay.
"""

from __future__ import annotations

import asyncio


class TcpRelay:
    def __init__(self, *, target_port: int, host: str = "127.0.0.1") -> None:
        self.target_port = target_port
        self.host = host
        self.port = 0
        self._server: asyncio.Server | None = None
        self._links: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()

    async def start(self) -> TcpRelay:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(self.host, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._links |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pump = asyncio.create_task(self._pump(source, sink, {writer, up_writer}))
            self._pumps.add(pump)
            pump.add_done_callback(self._pumps.discard)

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                    link: set[asyncio.StreamWriter]) -> None:
        try:
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        except ConnectionError:
            pass  # the other side went away: the link is closed below
        finally:
            for end in link:
                end.transport.abort()
            self._links -= link

    async def cut(self) -> None:
        """Drop every relayed connection and refuse new ones until ``restore``."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for end in list(self._links):
            end.transport.abort()

    async def restore(self) -> None:
        await self.start()

    async def close(self) -> None:
        await self.cut()
        for pump in list(self._pumps):
            pump.cancel()
        await asyncio.gather(*self._pumps, return_exceptions=True)
