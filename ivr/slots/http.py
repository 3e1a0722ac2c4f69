"""A small keep-alive HTTP/1.1 client: the slot client's connection pool to the slot service.

Why by hand: the call engine spent its CPU per call on the slot service's six requests far
more than on the fifty AGI commands. Measured with ``bench/slot_client_bench.py`` (one
process's CPU per request against the same uvicorn server, 40 tasks, pool of 20): httpx 1.5-1.7
ms (httpcore re-examines every pooled connection for every queued request, through anyio's
typed-attribute lookups), aiohttp 0.13-0.14 ms, this pool 0.05-0.06 ms. aiohttp would do the
job at about 0.5 ms more per call, a tenth of the call's whole budget (issue 14: 5 ms); the
slot service is one origin, the requests are small JSON, one at a time per connection, so a
pool of asyncio protocols around the C parser the slot service's own server uses
(``httptools``, llhttp: status line, headers, chunked and ``Content-Length`` bodies) is all it
takes. What is not here, because the slot service does not need it: proxies (``HTTP_PROXY`` is
not read), HTTP/2, redirects (a 3xx is returned as it is, and the slot client refuses it),
cookies, compression, ``Expect: 100-continue``.

What it does:

- **Pool**: at most ``max_connections`` open at once; a request waits (FIFO) for a free one.
  Idle connections are reused newest first, and dropped when the server has closed them
  (its FIN arrives as ``eof_received`` while idle) or when idle longer than
  ``keepalive_expiry`` (below uvicorn's 5 s, so we drop a connection before the server does).
- **Responses**: ``Content-Length`` bodies, chunked bodies and bodies delimited by the server
  closing the connection; ``Connection: close`` and HTTP/1.0 replies are not reused. Anything
  after a complete response that was not asked for, a body over ``max_body_bytes`` or a reply
  the parser refuses is a :class:`ProtocolError`, and the connection is closed.
- **Cancellation**: a request cancelled at any point (the slot client's time budget, a hung-up
  call) closes its connection unless the exchange had completed, so no half-read response can
  reach the next request and no socket is left open.
- **A kept-alive connection the server closed** just as we sent on it (the request may never
  have reached the server): an idempotent request is sent once more, on a new connection, if
  not one byte of the reply had arrived; any other request fails with :class:`ConnectionClosed`.

No timeouts of its own: the caller bounds each request as a whole (connect, wait for a
connection, write, read) with ``asyncio.timeout``; see :mod:`ivr.slots.client`.

Errors::

    HttpError              anything this module raises (besides the caller's TimeoutError)
    ├── ConnectFailed      the TCP (or TLS) connection could not be opened
    ├── ConnectionClosed   the server closed or reset the connection before the full reply
    └── ProtocolError      a reply that is not HTTP/1.x as this client reads it
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import httptools

IDEMPOTENT_METHODS: Final = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
DEFAULT_MAX_BODY_BYTES: Final = 4 * 1024 * 1024


class HttpError(Exception):
    """Base of the errors of this module."""


class ConnectFailed(HttpError):
    """The connection to the server could not be opened."""


class ConnectionClosed(HttpError):
    """The server closed (or reset) the connection before the whole reply had arrived.

    ``reply_started`` tells whether any byte of the reply had come; when none had, the
    server may never have seen the request.
    """

    def __init__(self, message: str, *, reply_started: bool) -> None:
        super().__init__(message)
        self.reply_started = reply_started


class ProtocolError(HttpError):
    """The server's bytes are not an HTTP/1.x reply this client accepts."""


@dataclass(frozen=True, slots=True)
class HttpResponse:
    status: int
    headers: dict[str, str]  # names lowercased; a repeated header keeps its last value
    body: bytes


def header_lines(headers: Mapping[str, str]) -> str:
    """``Name: value\r\n`` for each header; a CR or LF in a name or value is refused (it would
    let a value start a header or a request of its own)."""
    lines = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    if lines.count("\n") != len(headers) or lines.count("\r") != len(headers):
        raise ValueError("a header name or value contains a line break")
    return lines


class _Exchange:
    """The parser's callbacks for one reply (httptools calls them during ``feed_data``)."""

    __slots__ = (
        "body", "complete", "delimited", "headers", "headers_complete", "keep_alive", "parser",
        "size_left", "stray", "too_large",
    )

    def __init__(self, size_limit: int) -> None:
        self.parser = httptools.HttpResponseParser(self)
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []
        self.size_left = size_limit
        self.too_large = False  # a callback's exception would come out of httptools wrapped
        self.headers_complete = False
        self.complete = False
        self.delimited = False  # Content-Length or chunked: EOF before the end is a cut reply
        self.keep_alive = False
        self.stray = False  # bytes after the reply, in the same read: the start of another

    def on_message_begin(self) -> None:
        if self.complete:
            self.stray = True

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        self.headers[key] = value.decode("latin-1")

    def on_headers_complete(self) -> None:
        self.headers_complete = True
        self.delimited = "content-length" in self.headers or "chunked" in self.headers.get(
            "transfer-encoding", ""
        ).lower()

    def on_body(self, chunk: bytes) -> None:
        self.size_left -= len(chunk)
        if self.size_left < 0:
            self.too_large = True
        else:
            self.body.append(chunk)

    def on_message_complete(self) -> None:
        self.keep_alive = self.parser.should_keep_alive()
        self.complete = True

    def response(self) -> HttpResponse:
        return HttpResponse(
            status=self.parser.get_status_code(), headers=self.headers, body=b"".join(self.body)
        )


class _Connection(asyncio.Protocol):
    """One TCP connection carrying one exchange at a time."""

    def __init__(self, max_body_bytes: int) -> None:
        self._max_body_bytes = max_body_bytes
        self._transport: asyncio.Transport | None = None
        self._exchange: _Exchange | None = None
        self._waiter: asyncio.Future[HttpResponse] | None = None
        self._received = False
        self.closed = False
        self.reused = False
        self.idle_since = 0.0

    # -- asyncio.Protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        exchange = self._exchange
        if exchange is None or exchange.complete:
            self._fail(ProtocolError("bytes from the server that no request asked for"))
            return
        self._received = True
        try:
            exchange.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._fail(ProtocolError("the server switched protocols"))
            return
        except httptools.HttpParserError as error:
            self._fail(ProtocolError(f"not an HTTP/1.x reply: {error}"))
            return
        if exchange.too_large:
            self._fail(ProtocolError(f"reply body over {self._max_body_bytes} bytes"))
        elif exchange.complete:
            self._finish(exchange)
            if exchange.stray:  # the reply is whole; the connection is out of step
                self.close()

    def eof_received(self) -> bool:
        exchange = self._exchange
        if exchange is not None and not exchange.complete:
            if exchange.headers_complete and not exchange.delimited:
                exchange.complete = True  # a body delimited by the end of the connection
                self._finish(exchange)
            else:
                self._fail(
                    ConnectionClosed(
                        "the server closed the connection before the whole reply",
                        reply_started=self._received,
                    )
                )
        self.close()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._waiter is not None and not self._waiter.done():
            reason = f"connection lost: {exc!r}" if exc else "connection lost"
            self._waiter.set_exception(ConnectionClosed(reason, reply_started=self._received))

    # -- for the pool -------------------------------------------------------------------------

    async def exchange(self, request: bytes) -> HttpResponse:
        """Send one request, wait for its whole reply."""
        if self.closed or self._transport is None:
            raise ConnectionClosed("the connection is closed", reply_started=False)
        self._exchange = _Exchange(self._max_body_bytes)
        self._received = False
        self._waiter = asyncio.get_running_loop().create_future()
        self._transport.write(request)
        try:
            return await self._waiter
        finally:
            self._waiter = None

    @property
    def reusable(self) -> bool:
        exchange = self._exchange
        return not self.closed and exchange is not None and exchange.complete and (
            exchange.keep_alive
        )

    def close(self) -> None:
        self.closed = True
        if self._transport is not None:
            self._transport.close()

    # -- internals ------------------------------------------------------------------------------

    def _finish(self, exchange: _Exchange) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(exchange.response())
        if not exchange.keep_alive:
            self.close()

    def _fail(self, error: HttpError) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(error)
        self.close()


class KeepAlivePool:
    """Keep-alive connections to one ``http://`` or ``https://`` origin."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        max_connections: int = 20,
        keepalive_expiry: float = 4.0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        ssl_context: ssl.SSLContext | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"not an http:// or https:// URL: {base_url!r}")
        self.host = url.hostname
        self.port = url.port or (443 if url.scheme == "https" else 80)
        self.prefix = url.path.rstrip("/")
        self.authority = url.netloc.rpartition("@")[2]
        self._fixed_headers = header_lines(headers or {}).encode("latin-1")
        self._ssl = (ssl_context or ssl.create_default_context()) if url.scheme == "https" else None
        self._max_body_bytes = max_body_bytes
        self._keepalive_expiry = keepalive_expiry
        self._clock = clock
        self._free = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []
        self._open: set[_Connection] = set()
        self._closed = False

    @property
    def open_connections(self) -> int:
        return len(self._open)

    async def request(
        self,
        method: str,
        target: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> HttpResponse:
        """``method target`` (``/path?query``, under the base URL's path) with the pool's
        headers, ``headers`` and ``body``; the whole reply."""
        head = f"{method} {self.prefix}{target} HTTP/1.1\r\nHost: {self.authority}\r\n"
        if headers:
            head += header_lines(headers)
        if body is not None:
            head += f"Content-Length: {len(body)}\r\n"
        request = b"".join((head.encode("latin-1"), self._fixed_headers, b"\r\n", body or b""))
        async with self._free:
            connection = await self._checkout()
            try:
                return await self._exchange(connection, request)
            except ConnectionClosed as closed:
                retry = connection.reused and not closed.reply_started
                if not (retry and method in IDEMPOTENT_METHODS):
                    raise
            # the server had closed the kept-alive connection as we sent on it: once more
            return await self._exchange(await self._connect(), request)

    async def aclose(self) -> None:
        self._closed = True
        for connection in list(self._open):
            connection.close()
        self._open.clear()
        self._idle.clear()

    async def _checkout(self) -> _Connection:
        if self._closed:
            raise ConnectionClosed("the pool is closed", reply_started=False)
        now = self._clock()
        while self._idle:
            connection = self._idle.pop()
            if not connection.closed and now - connection.idle_since < self._keepalive_expiry:
                connection.reused = True
                return connection
            self._discard(connection)
        return await self._connect()

    async def _connect(self) -> _Connection:
        loop = asyncio.get_running_loop()
        max_body_bytes = self._max_body_bytes
        try:
            _, connection = await loop.create_connection(
                lambda: _Connection(max_body_bytes), self.host, self.port, ssl=self._ssl
            )
        except OSError as error:  # refused, unreachable, name not resolved, TLS handshake
            raise ConnectFailed(f"cannot connect to {self.host}:{self.port}: {error}") from error
        self._open.add(connection)
        return connection

    async def _exchange(self, connection: _Connection, request: bytes) -> HttpResponse:
        """One exchange; the connection goes back to the pool only after a complete reply that
        allows keep-alive, otherwise (an error, a cancellation) it is closed."""
        response: HttpResponse | None = None
        try:
            response = await connection.exchange(request)
            return response
        finally:
            if response is not None and connection.reusable and not self._closed:
                connection.idle_since = self._clock()
                self._idle.append(connection)
            else:
                self._discard(connection)

    def _discard(self, connection: _Connection) -> None:
        connection.close()
        self._open.discard(connection)
