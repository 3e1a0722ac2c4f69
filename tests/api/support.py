"""Helpers shared by the slot-service tests: the steps a caller takes, as HTTP calls."""

from __future__ import annotations

from typing import Any

import httpx

CALLER = "+420777123456"
PASSPORT = "12345678"
BIRTH = "1990-05-17"


async def first_slot(
    client: httpx.AsyncClient,
    office: str = "praha-zukovskeho",
    visit_type: str = "ltr-extension",
    **params: Any,
) -> dict[str, Any]:
    response = await client.get(
        "/availability", params={"office": office, "visit_type": visit_type, **params}
    )
    assert response.status_code == 200, response.text
    slots: list[dict[str, Any]] = response.json()["slots"]
    assert slots, "no free slot"
    return slots[0]


async def hold(
    client: httpx.AsyncClient, slot_id: int, caller: str = CALLER, language: str = "en"
) -> httpx.Response:
    return await client.post(
        "/holds", json={"slot_id": slot_id, "caller_number": caller, "language": language}
    )


async def book(
    client: httpx.AsyncClient,
    hold_id: str,
    *,
    caller: str = CALLER,
    passport: str = PASSPORT,
    birth: str = BIRTH,
    key: str | None = None,
) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return await client.post(
        "/bookings",
        json={
            "hold_id": hold_id,
            "caller_number": caller,
            "language": "en",
            "passport_digits": passport,
            "birth_date": birth,
        },
        headers=headers,
    )


async def hold_and_book(
    client: httpx.AsyncClient,
    *,
    office: str = "praha-zukovskeho",
    visit_type: str = "ltr-extension",
    caller: str = CALLER,
    passport: str = PASSPORT,
    after: str | None = None,
) -> dict[str, Any]:
    """Book the earliest free slot (after ``after``, an ISO moment, if given)."""
    slot = await first_slot(client, office, visit_type, **({"after": after} if after else {}))
    held = await hold(client, slot["slot_id"], caller)
    assert held.status_code == 201, held.text
    booked = await book(client, held.json()["hold_id"], caller=caller, passport=passport)
    assert booked.status_code == 201, booked.text
    result: dict[str, Any] = booked.json()
    return result
