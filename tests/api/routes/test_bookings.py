from __future__ import annotations

import httpx
import pytest

from api.clock import ManualClock
from api.references import is_valid_reference
from tests.api.support import BIRTH, CALLER, PASSPORT, book, first_slot, hold, hold_and_book


async def test_hold_then_book_returns_the_contract_fields(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    held = await hold(ivr, slot["slot_id"])
    assert held.status_code == 201
    booked = await book(ivr, held.json()["hold_id"], key="k-1")
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert is_valid_reference(body["reference"])
    assert body["office"] == "praha-zukovskeho"
    assert body["visit_type"] == "ltr-extension"
    assert body["slot_id"] == slot["slot_id"]
    assert body["starts_at"] == slot["starts_at"]
    assert body["status"] == "confirmed"
    assert body["channel"] == "phone"
    assert body["caller_number"] == CALLER
    assert body["language"] == "en"


async def test_same_idempotency_key_returns_the_same_booking(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    first = await book(ivr, hold_id, key="retry-me")
    second = await book(ivr, hold_id, key="retry-me")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    mine = await ivr.get("/bookings", params={"caller_number": CALLER})
    assert [b["reference"] for b in mine.json()] == [first.json()["reference"]]


async def test_idempotency_key_reused_for_another_hold_is_refused(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    assert (await book(ivr, hold_id, key="same")).status_code == 201
    other_slot = await first_slot(ivr, visit_type="biometrics")
    other_hold = (await hold(ivr, other_slot["slot_id"])).json()["hold_id"]
    again = await book(ivr, other_hold, key="same", passport="99999999")
    assert again.status_code == 409
    assert again.json()["error_id"] == "idempotency-conflict"


async def test_a_hold_books_once_even_without_a_key(ivr: httpx.AsyncClient) -> None:
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    assert (await book(ivr, hold_id)).status_code == 201
    again = await book(ivr, hold_id)
    assert again.status_code == 404
    assert again.json()["error_id"] == "hold-not-found"


async def test_expired_hold_cannot_be_booked(ivr: httpx.AsyncClient, clock: ManualClock) -> None:
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    clock.advance(seconds=121)
    expired = await book(ivr, hold_id)
    assert expired.status_code == 410
    assert expired.json()["error_id"] == "hold-expired"


async def test_lookup_needs_proof_and_hides_others_bookings(ivr: httpx.AsyncClient) -> None:
    booking = await hold_and_book(ivr)
    ref = booking["reference"]
    by_number = await ivr.get(f"/bookings/{ref}", params={"caller_number": CALLER})
    assert by_number.json()["reference"] == ref
    by_identity = await ivr.get(
        f"/bookings/{ref}", params={"passport_digits": PASSPORT, "birth_date": BIRTH}
    )
    assert by_identity.status_code == 200
    wrong = await ivr.get(f"/bookings/{ref}", params={"caller_number": "+420700000000"})
    assert wrong.status_code == 404
    assert wrong.json()["error_id"] == "booking-not-found"
    no_proof = await ivr.get(f"/bookings/{ref}")
    assert no_proof.status_code == 422
    assert no_proof.json()["error_id"] == "validation-error"


async def test_mistyped_reference_is_invalid_not_missing(ivr: httpx.AsyncClient) -> None:
    booking = await hold_and_book(ivr)
    ref = booking["reference"]
    swapped = ref[1] + ref[0] + ref[2:] if ref[0] != ref[1] else ref[:2] + ref[3] + ref[2] + ref[4:]
    response = await ivr.get(f"/bookings/{swapped}", params={"caller_number": CALLER})
    assert response.status_code == 400
    assert response.json()["error_id"] == "invalid-reference"


async def test_cancel_frees_the_seat(ivr: httpx.AsyncClient) -> None:
    booking = await hold_and_book(ivr)
    before = await first_slot(ivr)
    cancelled = await ivr.post(
        f"/bookings/{booking['reference']}/cancel", json={"caller_number": CALLER}
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    after = await first_slot(ivr)
    assert after["slot_id"] == booking["slot_id"]
    assert after["free_seats"] == before["free_seats"] + 1 or before["slot_id"] != after["slot_id"]
    twice = await ivr.post(
        f"/bookings/{booking['reference']}/cancel", json={"caller_number": CALLER}
    )
    assert twice.status_code == 409
    assert twice.json()["error_id"] == "booking-not-active"
    assert (await ivr.get("/bookings", params={"caller_number": CALLER})).json() == []


async def test_one_active_booking_per_identity_and_visit_type(ivr: httpx.AsyncClient) -> None:
    await hold_and_book(ivr)
    slot = await first_slot(ivr)
    hold_id = (await hold(ivr, slot["slot_id"], caller="+420601000001")).json()["hold_id"]
    refused = await book(ivr, hold_id, caller="+420601000001")
    assert refused.status_code == 409
    body = refused.json()
    assert body["error_id"] == "identity-limit"
    assert body["details"]["rule"] == "active-per-visit-type"
    # nothing half-written: the hold is still live and usable by another identity
    other = await book(ivr, hold_id, caller="+420601000001", passport="55555555")
    assert other.status_code == 201


async def test_three_bookings_per_identity_in_sixty_days(ivr: httpx.AsyncClient) -> None:
    for visit_type in ("ltr-extension", "biometrics", "card-pickup"):
        await hold_and_book(ivr, visit_type=visit_type)
    slot = await first_slot(ivr, visit_type="permanent-residence")
    hold_id = (await hold(ivr, slot["slot_id"])).json()["hold_id"]
    refused = await book(ivr, hold_id)
    assert refused.json()["error_id"] == "identity-limit"
    assert refused.json()["details"]["rule"] == "bookings-per-window"


async def test_reschedule_moves_the_booking_atomically(ivr: httpx.AsyncClient) -> None:
    booking = await hold_and_book(ivr)
    later = await first_slot(ivr, after=booking["starts_at"])
    new_hold = (await hold(ivr, later["slot_id"])).json()["hold_id"]
    moved = await ivr.post(
        f"/bookings/{booking['reference']}/reschedule",
        json={"hold_id": new_hold, "caller_number": CALLER},
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["slot_id"] == later["slot_id"]
    old = await ivr.get(f"/bookings/{booking['reference']}", params={"caller_number": CALLER})
    assert old.json()["status"] == "cancelled"


async def test_failed_reschedule_keeps_the_old_booking(
    ivr: httpx.AsyncClient, clock: ManualClock
) -> None:
    booking = await hold_and_book(ivr)
    later = await first_slot(ivr, after=booking["starts_at"])
    new_hold = (await hold(ivr, later["slot_id"])).json()["hold_id"]
    clock.advance(minutes=5)
    refused = await ivr.post(
        f"/bookings/{booking['reference']}/reschedule",
        json={"hold_id": new_hold, "caller_number": CALLER},
    )
    assert refused.json()["error_id"] == "hold-expired"
    old = await ivr.get(f"/bookings/{booking['reference']}", params={"caller_number": CALLER})
    assert old.json()["status"] == "confirmed"


async def test_malformed_booking_is_422_validation_error(ivr: httpx.AsyncClient) -> None:
    response = await ivr.post(
        "/bookings",
        json={
            "hold_id": "x",
            "caller_number": "777123456",
            "language": "de",
            "passport_digits": "12AB",
            "birth_date": "1990-13-40",
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error_id"] == "validation-error"
    fields = {tuple(error["loc"])[-1] for error in body["details"]["errors"]}
    assert {"caller_number", "language", "passport_digits", "birth_date"} <= fields
    assert "12AB" not in response.text


async def test_a_reference_drawn_twice_is_redrawn(
    ivr: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.services import bookings

    drawn = iter(["00000000", "00000000", "12345675"])

    def racing_draw() -> str:
        return next(drawn)  # the second booking draws the first one's reference

    monkeypatch.setattr(bookings, "_draw_reference", racing_draw)
    first = await hold_and_book(ivr)
    second = await hold_and_book(ivr, visit_type="biometrics")
    assert (first["reference"], second["reference"]) == ("00000000", "12345675")
