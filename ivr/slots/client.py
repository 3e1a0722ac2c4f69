"""Async client of the slot service, used by the call flow's runner.

One ``httpx.AsyncClient`` per process (connection pooling, ``max_connections`` shared by all
calls; a call that waits for a free connection longer than the budget gets
``SlotServiceUnavailable`` like any slow request), a bearer token, and a time budget per
request (2 s by default) enforced twice: httpx's own connect/read/write timeouts, and an overall
``asyncio.timeout`` around each request, because a server that trickles bytes never trips a read
timeout and an in-process ASGI transport has no socket timeouts at all. Every failure leaves
this module as one of the exceptions drawn in :mod:`ivr.slots.errors`; no ``httpx`` exception
crosses the boundary.

The pool is small on purpose (``max_connections`` 20, the slot service's own database pool
size): httpcore 1.0 re-examines every pooled connection for every queued request on each
request and each response (a socket readability check per idle connection, and a count of the
whole pool per idle connection), so its work per request grows with the square of the pool.
With 100 connections for 100 live calls the FastAGI process spent about 40 % of its CPU there;
more connections than the service can work on at once only move the queue from the service
into that loop.

Booking is the one write that is retried: a timed-out ``POST /bookings`` may or may not have
been committed, and the service makes the retry safe through the ``Idempotency-Key`` header (the
same key replays the first answer instead of booking twice). Holds are not retried: an unknown
hold simply expires on the server.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import date, datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ivr.slots.errors import (
    SlotServiceBadResponse,
    SlotServiceError,
    SlotServiceUnavailable,
    refusal,
)
from ivr.slots.models import Availability, Booking, Hold, Office, ResourceId, Slot, VisitType

logger = logging.getLogger(__name__)

ModelT = TypeVar("ModelT", bound=BaseModel)


class SlotClientSettings(BaseSettings):
    """Where the slot service is and how long the call engine waits for it (``IVR_SLOTS_*``)."""

    model_config = SettingsConfigDict(env_prefix="IVR_SLOTS_")

    base_url: str = "http://127.0.0.1:8080"
    token: SecretStr = SecretStr("ivr-dev-token")
    timeout_seconds: float = 2.0
    book_attempts: int = 3
    max_connections: int = 20


class SlotClient:
    """Typed access to the slot service's HTTP contract (see docs/architecture.md)."""

    def __init__(
        self,
        *,
        base_url: str,
        token: str,
        timeout_seconds: float = 2.0,
        book_attempts: int = 3,
        max_connections: int = 20,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        if book_attempts < 1:
            raise ValueError("book_attempts must be at least 1")
        self._timeout_seconds = timeout_seconds
        self._book_attempts = book_attempts
        self._http = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=httpx.Timeout(timeout_seconds),
            limits=httpx.Limits(max_connections=max_connections),
            transport=transport,
        )

    @classmethod
    def from_settings(
        cls, settings: SlotClientSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> SlotClient:
        return cls(
            base_url=settings.base_url,
            token=settings.token.get_secret_value(),
            timeout_seconds=settings.timeout_seconds,
            book_attempts=settings.book_attempts,
            max_connections=settings.max_connections,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SlotClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # -- the contract -------------------------------------------------------------------------

    async def offices(self) -> list[Office]:
        reply = await self._request("GET", "/offices")
        return _parse_list(Office, reply)

    async def visit_types(self, office: str) -> list[VisitType]:
        reply = await self._request("GET", f"/offices/{office}/visit-types")
        return _parse_list(VisitType, reply)

    async def availability(
        self, *, office: str, visit_type: str, after: datetime, limit: int = 1
    ) -> list[Slot]:
        """Free slots starting strictly after ``after`` (timezone-aware), soonest first."""
        if after.tzinfo is None:
            raise ValueError("after must be timezone-aware")
        params = {
            "office": office,
            "visit_type": visit_type,
            "after": after.isoformat(),
            "limit": str(limit),
        }
        reply = await self._request("GET", "/availability", params=params)
        return _parse(Availability, reply).slots

    async def hold(self, *, slot_id: ResourceId, caller_number: str, language: str) -> Hold:
        body = {"slot_id": slot_id, "caller_number": caller_number, "language": language}
        reply = await self._request("POST", "/holds", json=body)
        return _parse(Hold, reply)

    async def release(self, hold_id: ResourceId) -> None:
        await self._request("DELETE", f"/holds/{hold_id}")

    async def book(
        self,
        *,
        hold_id: ResourceId,
        caller_number: str,
        language: str,
        passport_digits: str,
        birth_date: date,
        idempotency_key: str | None = None,
    ) -> Booking:
        """Turn a hold into a booking; retried with the same Idempotency-Key when unavailable."""
        key = idempotency_key or uuid.uuid4().hex
        body = {
            "hold_id": hold_id,
            "caller_number": caller_number,
            "language": language,
            "passport_digits": passport_digits,
            "birth_date": birth_date.isoformat(),
        }
        for attempt in range(1, self._book_attempts + 1):
            try:
                reply = await self._request(
                    "POST", "/bookings", json=body, headers={"Idempotency-Key": key}
                )
            except SlotServiceUnavailable as exc:
                if attempt == self._book_attempts:
                    raise
                logger.warning(
                    "booking attempt %s of %s failed (%s); retrying with the same key",
                    attempt,
                    self._book_attempts,
                    exc,
                )
                continue
            return _parse(Booking, reply)
        raise AssertionError("unreachable: the loop returns or raises")

    async def bookings_for_caller(self, caller_number: str) -> list[Booking]:
        """The caller number's active bookings."""
        reply = await self._request("GET", "/bookings", params={"caller_number": caller_number})
        return _parse_list(Booking, reply)

    async def booking(
        self,
        reference: str,
        *,
        caller_number: str | None = None,
        passport_digits: str | None = None,
        birth_date: date | None = None,
    ) -> Booking:
        params = _proof_of_identity(caller_number, passport_digits, birth_date)
        reply = await self._request("GET", f"/bookings/{reference}", params=params)
        return _parse(Booking, reply)

    async def cancel(
        self,
        reference: str,
        *,
        caller_number: str | None = None,
        passport_digits: str | None = None,
        birth_date: date | None = None,
    ) -> Booking:
        body = _proof_of_identity(caller_number, passport_digits, birth_date)
        reply = await self._request("POST", f"/bookings/{reference}/cancel", json=body)
        return _parse(Booking, reply)

    # -- one request, every failure mapped -----------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        try:
            async with asyncio.timeout(self._timeout_seconds):
                response = await self._http.request(
                    method, path, params=params, json=json, headers=headers
                )
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise SlotServiceUnavailable(
                f"{method} {path}: no answer within {self._timeout_seconds} s"
            ) from exc
        except httpx.TransportError as exc:
            raise SlotServiceUnavailable(f"{method} {path}: {exc!r}") from exc
        return _decode(method, path, response)


def _decode(method: str, path: str, response: httpx.Response) -> Any:
    status = response.status_code
    if status == 204:
        return None
    try:
        body = response.json()
    except ValueError as exc:
        if status >= 500:
            raise SlotServiceUnavailable(f"{method} {path}: HTTP {status}") from exc
        raise SlotServiceBadResponse(f"{method} {path}: HTTP {status}, body is not JSON") from exc
    if status >= 500:
        error_id = body.get("error_id") if isinstance(body, dict) else None
        raise SlotServiceUnavailable(f"{method} {path}: HTTP {status} {error_id or ''}".strip())
    if status >= 400:
        if not (isinstance(body, dict) and isinstance(body.get("error_id"), str)):
            raise SlotServiceBadResponse(f"{method} {path}: HTTP {status} without an error_id")
        details = body.get("details")
        raise refusal(
            error_id=body["error_id"],
            message=str(body.get("message", "")),
            status_code=status,
            details=details if isinstance(details, dict) else None,
        )
    if status not in (200, 201):
        raise SlotServiceBadResponse(f"{method} {path}: unexpected HTTP {status}")
    return body


def _parse(model: type[ModelT], body: Any) -> ModelT:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise SlotServiceBadResponse(f"reply is not a {model.__name__}: {exc}") from exc


def _parse_list(model: type[ModelT], body: Any) -> list[ModelT]:
    try:
        return TypeAdapter(list[model]).validate_python(body)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise SlotServiceBadResponse(f"reply is not a list of {model.__name__}: {exc}") from exc


def _proof_of_identity(
    caller_number: str | None, passport_digits: str | None, birth_date: date | None
) -> dict[str, str]:
    if caller_number is not None:
        return {"caller_number": caller_number}
    if passport_digits is not None and birth_date is not None:
        return {"passport_digits": passport_digits, "birth_date": birth_date.isoformat()}
    raise ValueError("give caller_number, or passport_digits with birth_date")


__all__ = ["SlotClient", "SlotClientSettings", "SlotServiceError"]
