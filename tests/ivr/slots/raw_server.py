"""A TCP server that answers with the bytes a test scripts, to pin the slot client's HTTP layer
(:mod:`ivr.slots.http`) against what a real server, proxy or load balancer can do: close a
kept-alive connection, cut a reply, send chunks, trickle, send garbage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field


@dataclass
class Request:
    head: bytes
    body: bytes

    @property
    def request_line(self) -> str:
        return self.head.split(b"\r\n", 1)[0].decode()

    def header(self, name: str) -> str | None:
        for line in self.head.decode("latin-1").split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None


@dataclass
class Log:
    connections: int = 0
    open_now: int = 0
    closed_by_client: int = 0
    requests: list[Request] = field(default_factory=list)


class Peer:
    """One accepted connection as the script sees it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, log: Log):
        self.reader, self.writer, self.log = reader, writer, log
        self.index = log.connections - 1  # 0 for the first connection

    async def request(self) -> Request | None:
        """The next request on this connection, or None when the client closed it."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            self.log.closed_by_client += 1
            return None
        request = Request(head, b"")
        length = request.header("content-length")
        if length:
            request.body = await self.reader.readexactly(int(length))
        self.log.requests.append(request)
        return request

    async def send(self, data: bytes) -> None:
        self.writer.write(data)
        await self.writer.drain()


Script = Callable[[Peer], Awaitable[None]]


def reply(status: str, body: bytes = b"[]", *headers: str) -> bytes:
    lines = "".join(f"{header}\r\n" for header in headers)
    return (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\n{lines}\r\n"
    ).encode() + body


async def keep_answering(peer: Peer, data: bytes = reply("200 OK")) -> None:
    """Answer every request of the connection with ``data`` until the client closes it."""
    while await peer.request() is not None:
        await peer.send(data)


@asynccontextmanager
async def raw_server(script: Script) -> AsyncIterator[tuple[str, Log]]:
    """The server's base URL and its log while the block runs; each connection runs ``script``
    and is closed when it returns."""
    log = Log()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        log.connections += 1
        log.open_now += 1
        try:
            await script(Peer(reader, writer, log))
        except (ConnectionError, asyncio.IncompleteReadError):
            log.closed_by_client += 1
        finally:
            log.open_now -= 1
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", log
    finally:
        server.close()
