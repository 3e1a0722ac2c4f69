"""A minimal keep-alive HTTP/1.1 JSON client for the booking load of ``make bench-api``.

Why by hand: the load generator shares the machine's two cores with the service and
PostgreSQL. aiohttp's client costs about 0.5 ms of CPU per request, which the service then
lacks; the raw-SQL limit's client (asyncpg) costs a fraction of that. This client writes
one request and reads one response at a time on its own connection: a status line, headers
with ``Content-Length`` (uvicorn sends it for every response of the service), a JSON body.
Anything else is an error, never silently accepted.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any


class LeanHttpError(RuntimeError):
    pass


class LeanHttpConnection:
    def __init__(self, *, host: str, port: int, headers: dict[str, str]) -> None:
        self._host = host
        self._port = port
        self._fixed = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> LeanHttpConnection:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def post_json(
        self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        if self._reader is None or self._writer is None:
            raise LeanHttpError("connection not open")
        payload = json.dumps(body).encode()
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {self._host}\r\n{self._fixed}{extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n\r\n"
        )
        self._writer.write(head.encode() + payload)
        response_head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = response_head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or parts[0] != "HTTP/1.1":
            raise LeanHttpError(f"not an HTTP/1.1 response: {status_line!r}")
        length = None
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        if length is None:
            raise LeanHttpError(f"response to {path} without Content-Length")
        content = await self._reader.readexactly(length)
        return int(parts[1]), json.loads(content) if content else None
