"""bench/lean_http.py against a scripted HTTP server: keep-alive, JSON, and refusals of
responses it does not understand (it must never misread one as a booking)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from bench.lean_http import LeanHttpConnection, LeanHttpError


async def scripted_server(responses: list[bytes]) -> tuple[asyncio.Server, list[bytes]]:
    """Answers each request on a connection with the next scripted response; keeps what
    it received (head and body) for the test to check."""
    received: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for response in responses:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            received.append(head + await reader.readexactly(length))
            writer.write(response)
            await writer.drain()
        writer.close()

    return await asyncio.start_server(serve, "127.0.0.1", 0), received


Connect = Callable[[list[bytes]], Awaitable[tuple[LeanHttpConnection, list[bytes]]]]


@pytest.fixture
async def connect() -> AsyncIterator[Connect]:
    servers: list[asyncio.Server] = []

    async def open_with(responses: list[bytes]) -> tuple[LeanHttpConnection, list[bytes]]:
        server, received = await scripted_server(responses)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        connection = LeanHttpConnection(
            host="127.0.0.1", port=port, headers={"Authorization": "Bearer t"}
        )
        return connection, received

    yield open_with
    for server in servers:
        server.close()
        await server.wait_closed()


def response(status: str, body: bytes, *, length: bool = True) -> bytes:
    header = f"Content-Length: {len(body)}\r\n" if length else ""
    return f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{header}\r\n".encode() + body


async def test_two_requests_on_one_connection_with_headers_and_json(connect: Connect) -> None:
    connection, received = await connect(
        [response("201 Created", b'{"hold_id": "h1"}'), response("409 Conflict", b"{}")]
    )
    async with connection:
        assert await connection.post_json("/holds", {"slot_id": 7}) == (201, {"hold_id": "h1"})
        status, body = await connection.post_json(
            "/bookings", {"hold_id": "h1"}, {"Idempotency-Key": "k1"}
        )
    assert (status, body) == (409, {})
    first, second = received
    assert first.startswith(b"POST /holds HTTP/1.1\r\n")
    assert b"Authorization: Bearer t\r\n" in first
    assert json.loads(first.split(b"\r\n\r\n", 1)[1]) == {"slot_id": 7}
    assert b"Idempotency-Key: k1\r\n" in second


async def test_a_response_without_content_length_is_an_error(connect: Connect) -> None:
    connection, _ = await connect([response("200 OK", b"{}", length=False)])
    async with connection:
        with pytest.raises(LeanHttpError, match="Content-Length"):
            await connection.post_json("/holds", {})


async def test_something_other_than_http_1_1_is_an_error(connect: Connect) -> None:
    connection, _ = await connect([b"SSH-2.0-OpenSSH\r\n\r\n"])
    async with connection:
        with pytest.raises(LeanHttpError, match=r"not an HTTP/1\.1 response"):
            await connection.post_json("/holds", {})
