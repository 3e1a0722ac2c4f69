"""The slot client against httpx.MockTransport: every fault maps into the documented tree."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from ivr.slots import (
    AccessDenied,
    BookingNotFound,
    HoldExpired,
    HoldLimit,
    HoldNotFound,
    IdentityLimit,
    InvalidReference,
    InvalidRequest,
    OfficeNotFound,
    SlotClient,
    SlotClientSettings,
    SlotFull,
    SlotNotFound,
    SlotRefused,
    SlotServiceBadResponse,
    SlotServiceUnavailable,
    TooLate,
    VisitTypeNotFound,
)
from tests.ivr.slots.counting_server import counting_server

Handler = Callable[[httpx.Request], Any]

BOOKING = {
    "reference": "1234567890",
    "office": "praha-zukovskeho",
    "visit_type": "ltr-new",
    "slot_id": 7,
    "starts_at": "2026-12-01T09:00:00+01:00",
    "status": "active",
    "channel": "phone",
    "caller_number": "+420777123456",
    "language": "en",
}


def client_with(handler: Handler, **kwargs: Any) -> SlotClient:
    return SlotClient(
        base_url="http://slots.test",
        token="secret-token",
        transport=httpx.MockTransport(handler),
        **kwargs,
    )


def error_reply(status: int, error_id: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"error_id": error_id, "message": "refused", "details": {"slot_id": 7}}
        return httpx.Response(status, json=body)

    return handler


async def book(client: SlotClient, key: str | None = None) -> Any:
    return await client.book(
        hold_id=11,
        caller_number="+420777123456",
        language="en",
        passport_digits="12345678",
        birth_date=date(1990, 2, 1),
        idempotency_key=key,
    )


@pytest.mark.parametrize(
    ("status", "error_id", "expected"),
    [
        (404, "office-not-found", OfficeNotFound),
        (404, "visit-type-not-found", VisitTypeNotFound),
        (404, "slot-not-found", SlotNotFound),
        (409, "slot-full", SlotFull),
        (404, "hold-not-found", HoldNotFound),
        (410, "hold-expired", HoldExpired),
        (429, "hold-limit", HoldLimit),
        (409, "identity-limit", IdentityLimit),
        (400, "invalid-reference", InvalidReference),
        (404, "booking-not-found", BookingNotFound),
        (409, "too-late", TooLate),
        (401, "unauthorized", AccessDenied),
        (403, "forbidden", AccessDenied),
        (422, "validation-error", InvalidRequest),
    ],
)
async def test_each_error_id_maps_to_its_refusal(
    status: int, error_id: str, expected: type[SlotRefused]
) -> None:
    async with client_with(error_reply(status, error_id)) as client:
        with pytest.raises(expected) as caught:
            await client.hold(slot_id=7, caller_number="+420777123456", language="en")
    assert caught.value.error_id == error_id
    assert caught.value.status_code == status
    assert caught.value.details == {"slot_id": 7}


async def test_an_unknown_error_id_is_still_a_refusal_with_its_id() -> None:
    async with client_with(error_reply(409, "brand-new-rule")) as client:
        with pytest.raises(SlotRefused) as caught:
            await client.offices()
    assert type(caught.value) is SlotRefused
    assert caught.value.error_id == "brand-new-rule"


@pytest.mark.parametrize(
    "exception",
    [
        httpx.ConnectError("connection refused"),
        httpx.ReadTimeout("read timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.RemoteProtocolError("peer closed"),
    ],
)
async def test_transport_failures_mean_unavailable(exception: Exception) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exception

    async with client_with(handler) as client:
        with pytest.raises(SlotServiceUnavailable):
            await client.offices()


async def test_a_slow_service_is_cut_at_the_budget() -> None:
    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json=[])

    async with client_with(handler, timeout_seconds=0.05) as client:
        loop = asyncio.get_running_loop()
        started = loop.time()
        with pytest.raises(SlotServiceUnavailable, match=r"0\.05 s"):
            await client.offices()
        assert loop.time() - started < 1


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(500, text="Internal Server Error"),
        httpx.Response(502, text="<html>bad gateway</html>"),
        httpx.Response(503, json={"error_id": "database-unavailable", "message": "db down"}),
    ],
)
async def test_server_errors_mean_unavailable(reply: httpx.Response) -> None:
    async with client_with(lambda request: reply) as client:
        with pytest.raises(SlotServiceUnavailable):
            await client.visit_types("praha-zukovskeho")


@pytest.mark.parametrize(
    "reply",
    [
        httpx.Response(200, text="{not json"),
        httpx.Response(200, json={"unexpected": "shape"}),
        httpx.Response(200, json=[{"code": "x"}]),
        httpx.Response(404, json={"detail": "Not Found"}),
        httpx.Response(400, text="plain refusal"),
        httpx.Response(302, headers={"Location": "/elsewhere"}),
    ],
)
async def test_replies_outside_the_contract_are_bad_responses(reply: httpx.Response) -> None:
    async with client_with(lambda request: reply) as client:
        with pytest.raises(SlotServiceBadResponse):
            await client.offices()


async def test_requests_carry_the_token_and_the_contract_parameters() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"slots": []})

    async with client_with(handler) as client:
        after = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
        slots = await client.availability(
            office="kladno", visit_type="biometrics", after=after, limit=3
        )
    assert slots == []
    (request,) = seen
    assert request.headers["Authorization"] == "Bearer secret-token"
    assert request.url.path == "/availability"
    assert dict(request.url.params) == {
        "office": "kladno",
        "visit_type": "biometrics",
        "after": "2026-12-01T08:30:00+00:00",
        "limit": "3",
    }
    assert b"%2B00%3A00" in request.url.query, "the + of the offset must be percent-encoded"


async def test_availability_refuses_a_naive_datetime() -> None:
    async with client_with(lambda request: httpx.Response(200, json={"slots": []})) as client:
        with pytest.raises(ValueError, match="timezone-aware"):
            await client.availability(
                office="kladno", visit_type="biometrics", after=datetime(2026, 12, 1)
            )


async def test_a_timed_out_booking_is_retried_with_the_same_idempotency_key() -> None:
    keys: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        keys.append(request.headers["Idempotency-Key"])
        if len(keys) == 1:
            raise httpx.ReadTimeout("the first answer was lost")
        return httpx.Response(201, json=BOOKING)

    async with client_with(handler) as client:
        booking = await book(client)
    assert booking.reference == "1234567890"
    assert len(keys) == 2
    assert keys[0] == keys[1] and keys[0]


async def test_a_booking_gives_up_after_its_attempts() -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        return httpx.Response(503, json={"error_id": "database-unavailable", "message": "x"})

    async with client_with(handler, book_attempts=2) as client:
        with pytest.raises(SlotServiceUnavailable):
            await book(client, key="caller-key")
    assert attempts == 2


async def test_a_refused_booking_is_not_retried() -> None:
    attempts = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal attempts
        attempts += 1
        return httpx.Response(409, json={"error_id": "identity-limit", "message": "x"})

    async with client_with(handler) as client:
        with pytest.raises(IdentityLimit):
            await book(client)
    assert attempts == 1


async def test_booking_sends_the_body_of_the_contract() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        assert request.headers["Idempotency-Key"] == "key-1"
        return httpx.Response(201, json=BOOKING)

    async with client_with(handler) as client:
        booking = await book(client, key="key-1")
    assert bodies == [
        {
            "hold_id": 11,
            "caller_number": "+420777123456",
            "language": "en",
            "passport_digits": "12345678",
            "birth_date": "1990-02-01",
        }
    ]
    assert booking.starts_at == datetime.fromisoformat("2026-12-01T09:00:00+01:00")


async def test_release_accepts_no_content_and_cancel_needs_a_proof_of_identity() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(204)
        assert json.loads(request.content) == {"caller_number": "+420777123456"}
        return httpx.Response(200, json={**BOOKING, "status": "cancelled"})

    async with client_with(handler) as client:
        assert await client.release(11) is None
        cancelled = await client.cancel("1234567890", caller_number="+420777123456")
        assert cancelled.status == "cancelled"
        with pytest.raises(ValueError, match="caller_number"):
            await client.cancel("1234567890")


def test_settings_build_a_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_SLOTS_TIMEOUT_SECONDS", "0.5")
    settings = SlotClientSettings()
    assert settings.timeout_seconds == 0.5
    SlotClient.from_settings(settings)
    with pytest.raises(ValueError):
        SlotClient(base_url="http://x", token="t", timeout_seconds=0)



async def test_concurrent_calls_share_at_most_max_connections() -> None:
    """Over real TCP: six calls at once through a pool of two connections."""
    async with counting_server(delay_s=0.05) as (port, connections), SlotClient(
        base_url=f"http://127.0.0.1:{port}", token="t", max_connections=2
    ) as client:
        results = await asyncio.gather(*(client.offices() for _ in range(6)))
    assert results == [[]] * 6
    assert connections.most == 2
