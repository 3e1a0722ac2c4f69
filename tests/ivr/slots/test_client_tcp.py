"""The slot client over real TCP (its keep-alive pool, not an httpx transport): the behaviours of
test_client_faults.py that depend on the wire — the budget against a trickling server, no
connection left behind by a cut request, retried bookings, encoding, cut and foreign replies."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime

import pytest

from ivr.slots import (
    SlotClient,
    SlotFull,
    SlotServiceBadResponse,
    SlotServiceUnavailable,
)
from tests.ivr.slots.raw_server import Peer, keep_answering, raw_server, reply
from tests.ivr.slots.test_client_faults import BOOKING, book


def client_at(url: str, **kwargs: object) -> SlotClient:
    return SlotClient(base_url=url, token="secret-token", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (reply("409 Conflict", b'{"error_id":"slot-full","message":"x"}'), SlotFull),
        (reply("503 Service Unavailable", b'{"error_id":"database-unavailable"}'),
         SlotServiceUnavailable),
        (reply("500 Internal Server Error", b"Internal Server Error"), SlotServiceUnavailable),
        (reply("302 Found", b"", "location: /elsewhere"), SlotServiceBadResponse),
        (reply("200 OK", b"{not json"), SlotServiceBadResponse),
        (b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\n[]", SlotServiceUnavailable),  # cut
        (b"220 smtp.example ESMTP\r\n\r\n", SlotServiceUnavailable),  # not HTTP at all
    ],
)
async def test_replies_map_into_the_tree_over_tcp(answer: bytes, expected: type) -> None:
    async def script(peer: Peer) -> None:
        await peer.request()
        await peer.send(answer)

    async with raw_server(script) as (url, log), client_at(url) as client:
        with pytest.raises(expected):
            await client.hold(slot_id=7, caller_number="+420777123456", language="en")
    assert len(log.requests) == 1, "a redirect is not followed, a POST is not repeated"


HOLD = b'{"hold_id":3,"slot_id":7,"expires_at":"2026-12-01T09:00:00+01:00"}'


async def answer_by_method(peer: Peer) -> None:
    while (request := await peer.request()) is not None:
        method = request.request_line.split()[0]
        if method == "DELETE":
            await peer.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        else:
            await peer.send(reply("200 OK", HOLD if method == "POST" else b'{"slots":[]}'))


async def test_requests_on_the_wire_carry_the_token_json_and_encoded_parameters() -> None:
    async with raw_server(answer_by_method) as (url, log), client_at(url) as client:
        after = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
        await client.availability(office="kladno", visit_type="biometrics", after=after, limit=3)
        await client.hold(slot_id=7, caller_number="+420777123456", language="en")
        await client.release("a/b")
    get, post, delete = log.requests
    assert get.request_line == (
        "GET /availability?office=kladno&visit_type=biometrics"
        "&after=2026-12-01T08%3A30%3A00%2B00%3A00&limit=3 HTTP/1.1"
    )
    assert get.header("authorization") == "Bearer secret-token"
    assert get.header("accept") == "application/json"
    assert post.header("content-type") == "application/json"
    assert json.loads(post.body) == {
        "slot_id": 7, "caller_number": "+420777123456", "language": "en"
    }
    assert delete.request_line == "DELETE /holds/a%2Fb HTTP/1.1", "an id is one path segment"
    assert log.connections == 1


async def test_a_trickling_server_is_cut_at_the_budget_and_its_connection_closed() -> None:
    async def trickle(peer: Peer) -> None:
        await peer.request()
        await peer.send(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n")
        for _ in range(50):  # a byte every 50 ms never trips a per-read timeout
            await peer.send(b" ")
            await asyncio.sleep(0.05)

    async with raw_server(trickle) as (url, log), client_at(url, timeout_seconds=0.3) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(SlotServiceUnavailable, match=r"0\.3 s"):
            await client.offices()
        assert loop.time() - started < 1
        await asyncio.sleep(0.1)
        assert log.closed_by_client == 1, "the cut request closed its connection"


async def test_a_request_of_a_cancelled_call_leaves_no_connection_open() -> None:
    async def silent(peer: Peer) -> None:
        await peer.request()
        await peer.reader.read()  # until the client closes
        peer.log.closed_by_client += 1

    async with raw_server(silent) as (url, log), client_at(url) as client:
        call = asyncio.create_task(client.offices())
        await asyncio.sleep(0.1)
        call.cancel()
        with pytest.raises(asyncio.CancelledError):
            await call
        await asyncio.sleep(0.05)
        assert log.closed_by_client == 1
        assert log.open_now == 0


async def test_a_booking_whose_answer_was_lost_is_retried_with_the_same_key() -> None:
    async def lose_the_first_answer(peer: Peer) -> None:
        if peer.index == 0:
            await peer.request()  # then close without answering
            return
        while await peer.request() is not None:
            await peer.send(reply("201 Created", json.dumps(BOOKING).encode()))

    async with raw_server(lose_the_first_answer) as (url, log), client_at(url) as client:
        booking = await book(client, key="call-1-hold-11")
    assert booking.reference == "1234567890"
    assert [r.header("idempotency-key") for r in log.requests] == ["call-1-hold-11"] * 2
    assert json.loads(log.requests[1].body)["birth_date"] == date(1990, 2, 1).isoformat()


async def test_an_unreachable_service_is_unavailable() -> None:
    async with raw_server(keep_answering) as (url, _):
        pass
    async with client_at(url) as client:
        with pytest.raises(SlotServiceUnavailable):
            await client.offices()
