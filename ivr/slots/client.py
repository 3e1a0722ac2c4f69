"""Async client of the slot service, used by the call flow's runner.

One connection pool per process (:class:`ivr.slots.http.KeepAlivePool`: keep-alive HTTP/1.1,
``max_connections`` shared by all calls; a call that waits for a free connection longer than
the budget gets ``SlotServiceUnavailable`` like any slow request), a bearer token, and a time
budget per request (2 s by default): one ``asyncio.timeout`` around each request as a whole
(waiting for a connection, connecting, writing, reading), which also cuts a server that
trickles bytes. A request cut by the budget closes its connection. Every failure leaves this
module as one of the exceptions drawn in :mod:`ivr.slots.errors`; no exception of the HTTP
layer crosses the boundary.

Given an httpx ``transport`` (an in-process ASGI app, a mock), the same requests go through it
instead (:mod:`ivr.slots.httpx_pool`); the mapping of replies and errors is the same.

The pool is small on purpose (``max_connections`` 20, the slot service's own database pool
size): more connections than the service can work on at once only move the queue from the
service into the client.

Booking is the one write that is retried: a timed-out ``POST /bookings`` may or may not have
been committed, and the service makes the retry safe through the ``Idempotency-Key`` header (the
same key replays the first answer instead of booking twice). Holds are not retried: an unknown
hold simply expires on the server.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import logging
import uuid
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

from pydantic import BaseModel, SecretStr, TypeAdapter, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from ivr.slots.errors import (
    SlotServiceBadResponse,
    SlotServiceError,
    SlotServiceUnavailable,
    refusal,
)
from ivr.slots.http import HttpError, HttpResponse, KeepAlivePool
from ivr.slots.models import Availability, Booking, Hold, Office, ResourceId, Slot, VisitType

if TYPE_CHECKING:
    from collections.abc import Mapping

    import httpx

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
    keepalive_expiry_seconds: float = 4.0


class HttpPool(Protocol):
    """What the client needs of its HTTP layer (:class:`ivr.slots.http.KeepAlivePool`)."""

    async def request(
        self,
        method: str,
        target: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> HttpResponse: ...

    async def aclose(self) -> None: ...


JSON_BODY = {"Content-Type": "application/json"}


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
        keepalive_expiry_seconds: float = 4.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        if book_attempts < 1:
            raise ValueError("book_attempts must be at least 1")
        self._timeout_seconds = timeout_seconds
        self._book_attempts = book_attempts
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        self._http: HttpPool
        if transport is None:
            self._http = KeepAlivePool(
                base_url,
                headers=headers,
                max_connections=max_connections,
                keepalive_expiry=keepalive_expiry_seconds,
            )
        else:
            from ivr.slots.httpx_pool import HttpxPool  # httpx only for in-process apps

            self._http = HttpxPool(
                base_url, transport=transport, headers=headers, timeout_seconds=timeout_seconds
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
            keepalive_expiry_seconds=settings.keepalive_expiry_seconds,
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
        reply = await self._request("GET", f"/offices/{_segment(office)}/visit-types")
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
        await self._request("DELETE", f"/holds/{_segment(str(hold_id))}")

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
        reply = await self._request("GET", f"/bookings/{_segment(reference)}", params=params)
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
        reply = await self._request(
            "POST", f"/bookings/{_segment(reference)}/cancel", json=body
        )
        return _parse(Booking, reply)

    async def reschedule(
        self,
        reference: str,
        *,
        hold_id: ResourceId,
        caller_number: str,
        language: str,
        idempotency_key: str | None = None,
    ) -> Booking:
        """Book the held slot with the identity of booking ``reference`` (proven by the caller
        number) and cancel that one, in one transaction; retried with the same
        Idempotency-Key when unavailable, as :meth:`book` is."""
        key = idempotency_key or uuid.uuid4().hex
        body = {"hold_id": hold_id, "caller_number": caller_number, "language": language}
        path = f"/bookings/{_segment(reference)}/reschedule"
        for attempt in range(1, self._book_attempts + 1):
            try:
                reply = await self._request(
                    "POST", path, json=body, headers={"Idempotency-Key": key}
                )
            except SlotServiceUnavailable:
                if attempt == self._book_attempts:
                    raise
                logger.warning("re-booking attempt %s failed; retrying with the same key", attempt)
                continue
            return _parse(Booking, reply)
        raise AssertionError("unreachable: the loop returns or raises")

    async def opt_out(self, caller_number: str) -> None:
        """The slot service never calls this number again (outbound notices)."""
        await self._request("POST", "/outbound/opt-outs", json={"caller_number": caller_number})

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
        target = f"{path}?{urlencode(params)}" if params else path
        body = None
        if json is not None:
            body = jsonlib.dumps(json, separators=(",", ":")).encode()
            headers = {**JSON_BODY, **(headers or {})}
        try:
            async with asyncio.timeout(self._timeout_seconds):
                response = await self._http.request(method, target, headers=headers, body=body)
        except TimeoutError as exc:
            raise SlotServiceUnavailable(
                f"{method} {path}: no answer within {self._timeout_seconds} s"
            ) from exc
        except HttpError as exc:
            raise SlotServiceUnavailable(f"{method} {path}: {exc!r}") from exc
        return _decode(method, path, response)


def _segment(value: str) -> str:
    """A value as one path segment (a ``/`` or ``?`` in it cannot change the path)."""
    return quote(value, safe="")


def _decode(method: str, path: str, response: HttpResponse) -> Any:
    status = response.status
    if status == 204:
        return None
    try:
        body = jsonlib.loads(response.body)
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


_LIST_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}


def _parse_list(model: type[ModelT], body: Any) -> list[ModelT]:
    # building a TypeAdapter builds its validator: once per model, not once per reply
    adapter = _LIST_ADAPTERS.get(model)
    if adapter is None:
        adapter = _LIST_ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    try:
        parsed: list[ModelT] = adapter.validate_python(body)
        return parsed
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
