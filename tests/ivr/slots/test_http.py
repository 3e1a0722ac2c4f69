"""The slot client's keep-alive HTTP/1.1 pool (:mod:`ivr.slots.http`) over real TCP, against a
server that does what real servers and load balancers do."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from pathlib import Path

import pytest

from ivr.slots.http import (
    ConnectFailed,
    ConnectionClosed,
    HttpResponse,
    KeepAlivePool,
    ProtocolError,
    header_lines,
)
from tests.ivr.slots.raw_server import Peer, keep_answering, raw_server, reply


async def test_sequential_requests_share_one_kept_alive_connection() -> None:
    async with raw_server(keep_answering) as (url, log):
        pool = KeepAlivePool(url, headers={"Authorization": "Bearer t"})
        for _ in range(3):
            response = await pool.request("GET", "/offices")
            assert response == HttpResponse(
                status=200,
                headers={"content-type": "application/json", "content-length": "2"},
                body=b"[]",
            )
        await pool.aclose()
        await asyncio.sleep(0.05)
    assert log.connections == 1
    assert len(log.requests) == 3
    first = log.requests[0]
    assert first.request_line == "GET /offices HTTP/1.1"
    assert first.header("host") == url.removeprefix("http://")
    assert first.header("authorization") == "Bearer t"
    assert log.closed_by_client == 1, "aclose closed the connection"


async def test_a_body_is_sent_with_its_length_and_the_base_path_prefixes_the_target() -> None:
    async with raw_server(keep_answering) as (url, log):
        pool = KeepAlivePool(f"{url}/api/")
        await pool.request("POST", "/holds", headers={"Idempotency-Key": "k"}, body=b'{"a":1}')
        await pool.aclose()
    (request,) = log.requests
    assert request.request_line == "POST /api/holds HTTP/1.1"
    assert request.header("content-length") == "7"
    assert request.header("idempotency-key") == "k"
    assert request.body == b'{"a":1}'


async def test_a_chunked_body_is_joined() -> None:
    async def chunked(peer: Peer) -> None:
        while await peer.request() is not None:
            await peer.send(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            await peer.send(b"3\r\n[1,\r\n")
            await asyncio.sleep(0.01)  # the chunks arrive in separate reads
            await peer.send(b"2\r\n2]\r\n0\r\n\r\n")

    async with raw_server(chunked) as (url, log):
        pool = KeepAlivePool(url)
        assert (await pool.request("GET", "/a")).body == b"[1,2]"
        assert (await pool.request("GET", "/b")).body == b"[1,2]"
        await pool.aclose()
    assert log.connections == 1, "a chunked reply keeps the connection"


async def test_a_body_delimited_by_the_end_of_the_connection() -> None:
    async def close_delimited(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n[1,")
        await peer.send(b"2]")  # then the script returns: the server closes

    async with raw_server(close_delimited) as (url, log):
        pool = KeepAlivePool(url)
        assert (await pool.request("GET", "/a")).body == b"[1,2]"
        assert (await pool.request("GET", "/b")).body == b"[1,2]"
        assert pool.open_connections == 0
        await pool.aclose()
    assert log.connections == 2


@pytest.mark.parametrize(
    "answer",
    [
        reply("200 OK", b"[]", "connection: close"),
        b"HTTP/1.0 200 OK\r\ncontent-length: 2\r\n\r\n[]",
    ],
)
async def test_a_reply_that_ends_keep_alive_is_not_reused(answer: bytes) -> None:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(answer)
        assert await peer.request() is None  # the client closes, the server does not

    async with raw_server(script) as (url, log):
        pool = KeepAlivePool(url)
        for _ in range(2):
            assert (await pool.request("GET", "/a")).body == b"[]"
        await asyncio.sleep(0.05)
        assert pool.open_connections == 0
        assert log.closed_by_client == 2
        await pool.aclose()
    assert log.connections == 2


async def test_a_kept_alive_connection_the_server_closed_while_idle_is_replaced() -> None:
    async def one_request_then_close(peer: Peer) -> None:
        await peer.request()
        await peer.send(reply("200 OK"))

    async with raw_server(one_request_then_close) as (url, log):
        pool = KeepAlivePool(url)
        await pool.request("GET", "/a")
        await asyncio.sleep(0.05)  # the FIN arrives while the connection is idle
        await pool.request("POST", "/holds", body=b"{}")  # safe: not sent on the dead one
        await pool.aclose()
    assert log.connections == 2
    assert len(log.requests) == 2


async def close_on_second_request(peer: Peer) -> None:
    """First connection: answers once, then reads the next request and closes without a byte of
    reply (a server closing a kept-alive connection just as the request arrives). Later ones
    answer everything."""
    if peer.index > 0:
        await keep_answering(peer)
        return
    await peer.request()
    await peer.send(reply("200 OK"))
    await peer.request()


async def test_an_idempotent_request_on_a_connection_closed_under_it_is_sent_again() -> None:
    async with raw_server(close_on_second_request) as (url, log):
        pool = KeepAlivePool(url)
        await pool.request("GET", "/a")
        assert (await pool.request("GET", "/b")).status == 200
        await pool.aclose()
    assert [r.request_line for r in log.requests] == [
        "GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /b HTTP/1.1"
    ]
    assert log.connections == 2


async def test_a_post_on_a_connection_closed_under_it_is_not_sent_again() -> None:
    async with raw_server(close_on_second_request) as (url, log):
        pool = KeepAlivePool(url)
        await pool.request("GET", "/a")
        with pytest.raises(ConnectionClosed) as caught:
            await pool.request("POST", "/holds", body=b"{}")
        assert not caught.value.reply_started
        assert pool.open_connections == 0
        await pool.aclose()
    assert [r.request_line for r in log.requests] == ["GET /a HTTP/1.1", "POST /holds HTTP/1.1"]


async def test_a_reply_cut_in_the_middle_is_an_error_not_a_short_body() -> None:
    async def cut(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n[1,2")

    async with raw_server(cut) as (url, _):
        pool = KeepAlivePool(url)
        with pytest.raises(ConnectionClosed) as caught:
            await pool.request("GET", "/a")
        assert caught.value.reply_started
        assert pool.open_connections == 0
        await pool.aclose()


async def test_a_cut_chunked_reply_is_an_error() -> None:
    async def cut(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\n[1,\r\n")

    async with raw_server(cut) as (url, _):
        pool = KeepAlivePool(url)
        with pytest.raises(ConnectionClosed):
            await pool.request("GET", "/a")
        await pool.aclose()


@pytest.mark.parametrize(
    "garbage",
    [
        b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: nope\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n",
    ],
)
async def test_a_reply_that_is_not_http_is_a_protocol_error(garbage: bytes) -> None:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(garbage)
        assert await peer.request() is None

    async with raw_server(script) as (url, log):
        pool = KeepAlivePool(url)
        with pytest.raises(ProtocolError):
            await pool.request("GET", "/a")
        assert pool.open_connections == 0
        await asyncio.sleep(0.05)
        assert log.closed_by_client == 1
        await pool.aclose()


async def test_bytes_nobody_asked_for_close_the_connection() -> None:
    async def script(peer: Peer) -> None:
        if peer.index > 0:
            await keep_answering(peer)
            return
        await peer.request()
        await peer.send(reply("200 OK") + b"HTTP/1.1 200 OK\r\n")  # a second, unasked reply
        assert await peer.request() is None

    async with raw_server(script) as (url, log):
        pool = KeepAlivePool(url)
        assert (await pool.request("GET", "/a")).body == b"[]"
        await asyncio.sleep(0.05)
        assert (await pool.request("POST", "/b", body=b"{}")).body == b"[]"
        await pool.aclose()
    assert log.connections == 2, "the second request did not read the stray bytes"


async def test_a_body_over_the_limit_is_refused() -> None:
    async def big(peer: Peer) -> None:
        await peer.request()
        await peer.send(reply("200 OK", b"x" * 2000))

    async with raw_server(big) as (url, _):
        pool = KeepAlivePool(url, max_body_bytes=1000)
        with pytest.raises(ProtocolError, match="over 1000 bytes"):
            await pool.request("GET", "/a")
        assert pool.open_connections == 0
        await pool.aclose()


async def test_a_cancelled_request_closes_its_connection() -> None:
    answered = asyncio.Event()

    async def never_answers(peer: Peer) -> None:
        await peer.request()
        answered.set()
        await peer.reader.read()  # until the client closes
        peer.log.closed_by_client += 1

    async with raw_server(never_answers) as (url, log):
        pool = KeepAlivePool(url)
        task = asyncio.create_task(pool.request("GET", "/a"))
        await answered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.open_connections == 0
        await asyncio.sleep(0.05)
        assert log.closed_by_client == 1
        assert log.open_now == 0
        await pool.aclose()


async def test_a_refused_connection_is_connect_failed() -> None:
    async with raw_server(keep_answering) as (url, _):
        pass  # the port is free again
    pool = KeepAlivePool(url)
    with pytest.raises(ConnectFailed):
        await pool.request("GET", "/a")
    assert pool.open_connections == 0


async def test_an_idle_connection_past_its_expiry_is_not_reused() -> None:
    now = [100.0]
    async with raw_server(keep_answering) as (url, log):
        pool = KeepAlivePool(url, keepalive_expiry=4.0, clock=lambda: now[0])
        await pool.request("GET", "/a")
        now[0] += 3.9
        await pool.request("GET", "/b")
        assert log.connections == 1
        now[0] += 4.0
        await pool.request("GET", "/c")
        assert log.connections == 2
        assert pool.open_connections == 1
        await pool.aclose()


async def test_waiting_requests_get_the_connections_in_turn() -> None:
    async def slow(peer: Peer) -> None:
        while await peer.request() is not None:
            await asyncio.sleep(0.02)
            await peer.send(reply("200 OK"))

    async with raw_server(slow) as (url, log):
        pool = KeepAlivePool(url, max_connections=3)
        replies = await asyncio.gather(*(pool.request("GET", f"/{n}") for n in range(12)))
        await pool.aclose()
    assert [r.status for r in replies] == [200] * 12
    assert log.connections == 3
    assert [r.request_line for r in log.requests[:3]] == [
        f"GET /{n} HTTP/1.1" for n in range(3)
    ]


def test_header_values_with_line_breaks_are_refused() -> None:
    assert header_lines({"A": "1", "B": "2"}) == "A: 1\r\nB: 2\r\n"
    with pytest.raises(ValueError, match="line break"):
        header_lines({"Authorization": "Bearer t\r\nX-Admin: yes"})
    with pytest.raises(ValueError, match="line break"):
        KeepAlivePool("http://127.0.0.1:1", headers={"A": "x\n"})
    with pytest.raises(ValueError, match="http"):
        KeepAlivePool("ftp://127.0.0.1/")


async def test_https_with_the_given_certificate_authority(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    log: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                log.append(await reader.readuntil(b"\r\n\r\n"))
            except asyncio.IncompleteReadError:
                break
            writer.write(reply("200 OK", b'{"tls":true}'))
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=server_context)
    port = server.sockets[0].getsockname()[1]
    try:
        client_context = ssl.create_default_context(cafile=str(cert))
        pool = KeepAlivePool(f"https://localhost:{port}", ssl_context=client_context)
        assert (await pool.request("GET", "/a")).body == b'{"tls":true}'
        assert (await pool.request("GET", "/b")).body == b'{"tls":true}'
        await pool.aclose()
        untrusted = KeepAlivePool(f"https://localhost:{port}")  # the system's CAs only
        with pytest.raises(ConnectFailed):
            await untrusted.request("GET", "/a")
    finally:
        server.close()
    assert len(log) == 2, "both requests on one TLS connection"
