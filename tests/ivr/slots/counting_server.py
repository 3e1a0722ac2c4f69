"""A keep-alive HTTP server over real TCP that answers every request with ``[]`` after a delay
and counts the connections open at once: how the slot client's pool is seen from outside."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass


@dataclass
class Connections:
    open_now: int = 0
    most: int = 0


@asynccontextmanager
async def counting_server(
    *, delay_s: float, backlog: int = 100
) -> AsyncIterator[tuple[int, Connections]]:
    """The server's port and its connection counts, while the block runs."""
    connections = Connections()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.open_now += 1
        connections.most = max(connections.most, connections.open_now)
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(delay_s)
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: 2\r\n\r\n[]"
                )
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass  # the client closed its connection: the normal end of keep-alive
        finally:
            connections.open_now -= 1
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=backlog)
    try:
        yield server.sockets[0].getsockname()[1], connections
    finally:
        server.close()
