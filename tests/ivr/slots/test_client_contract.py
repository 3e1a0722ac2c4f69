"""The slot client against the real slot service, in-process (httpx ASGITransport on a copy of
today's template database, PostgreSQL): the typed results and the error
ids of the HTTP contract."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI

from api.testing import DEV_TOKENS, prepared_app
from ivr.slots import (
    AccessDenied,
    BookingNotFound,
    IdentityLimit,
    InvalidReference,
    OfficeNotFound,
    SlotClient,
    SlotNotFound,
)

CALLER = "+420777123456"


@pytest.fixture
async def app(postgres_server: str, today_template: str) -> AsyncIterator[FastAPI]:
    async with prepared_app(postgres_server, template=today_template) as prepared:
        yield prepared


def client_of(app: FastAPI, token: str = DEV_TOKENS["ivr"]) -> SlotClient:
    return SlotClient(
        base_url="http://slots.test", token=token, transport=httpx.ASGITransport(app=app)
    )


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[SlotClient]:
    async with client_of(app) as slot_client:
        yield slot_client


async def test_offices_and_visit_types_in_menu_order(client: SlotClient) -> None:
    offices = await client.offices()
    assert [office.code for office in offices][:2] == ["praha-zukovskeho", "praha-cigankova"]
    assert {office.region for office in offices} == {"praha", "stredocesky"}
    assert set(offices[0].names) == {"cs", "en", "uk", "ru", "vi"}
    visit_types = await client.visit_types("praha-zukovskeho")
    assert "ltr-new" in [visit_type.code for visit_type in visit_types]
    assert all(visit_type.duration_minutes > 0 for visit_type in visit_types)


async def test_hold_book_find_and_cancel(client: SlotClient) -> None:
    now = datetime.now(UTC)
    slots = await client.availability(
        office="praha-zukovskeho", visit_type="ltr-new", after=now, limit=3
    )
    assert 1 <= len(slots) <= 3
    assert all(slot.starts_at > now for slot in slots)
    assert [slot.starts_at for slot in slots] == sorted(slot.starts_at for slot in slots)

    first = await client.hold(slot_id=slots[0].slot_id, caller_number=CALLER, language="en")
    assert first.slot_id == slots[0].slot_id
    await client.release(first.hold_id)
    await client.release(first.hold_id)  # releasing is idempotent on the service

    held = await client.hold(slot_id=slots[0].slot_id, caller_number=CALLER, language="en")
    booking = await client.book(
        hold_id=held.hold_id,
        caller_number=CALLER,
        language="en",
        passport_digits="12345678",
        birth_date=date(1990, 2, 1),
        idempotency_key="contract-key-1",
    )
    assert booking.office == "praha-zukovskeho"
    assert booking.starts_at == slots[0].starts_at
    assert booking.channel == "phone"

    replayed = await client.book(
        hold_id=held.hold_id,
        caller_number=CALLER,
        language="en",
        passport_digits="12345678",
        birth_date=date(1990, 2, 1),
        idempotency_key="contract-key-1",
    )
    assert replayed.reference == booking.reference, "same key, same booking"

    assert [b.reference for b in await client.bookings_for_caller(CALLER)] == [booking.reference]
    found = await client.booking(booking.reference, caller_number=CALLER)
    assert found.reference == booking.reference

    cancelled = await client.cancel(booking.reference, caller_number=CALLER)
    assert cancelled.status != booking.status
    assert await client.bookings_for_caller(CALLER) == []


async def test_the_same_identity_cannot_book_the_same_visit_type_twice(client: SlotClient) -> None:
    slots = await client.availability(
        office="kladno", visit_type="biometrics", after=datetime.now(UTC), limit=2
    )
    assert len(slots) == 2
    for index, slot in enumerate(slots):
        held = await client.hold(slot_id=slot.slot_id, caller_number=CALLER, language="cs")
        book = client.book(
            hold_id=held.hold_id,
            caller_number=CALLER,
            language="cs",
            passport_digits="99887766",
            birth_date=date(1985, 7, 31),
        )
        if index == 0:
            await book
        else:
            with pytest.raises(IdentityLimit) as caught:
                await book
            assert caught.value.status_code == 409


async def test_refusals_carry_the_contracts_error_ids(app: FastAPI, client: SlotClient) -> None:
    with pytest.raises(OfficeNotFound):
        await client.visit_types("no-such-office")
    with pytest.raises(SlotNotFound):
        await client.hold(slot_id=987654321, caller_number=CALLER, language="en")
    with pytest.raises((InvalidReference, BookingNotFound)):
        await client.cancel("0000000000", caller_number=CALLER)
    async with client_of(app, token="wrong-token") as intruder:
        with pytest.raises(AccessDenied) as caught:
            await intruder.offices()
    assert caught.value.error_id == "unauthorized"
