"""Who may do what: every route against every role, proofs of ownership, constant-time tokens.

The matrix is built from the app's own OpenAPI description, so a route added later is checked too:
``/admin/*`` is for admins, ``/operator/*`` for operators and admins, ``/desk/*`` for the desk
and admins, ``/healthz`` for anyone, ``/outbound/*`` for the call engine and admins (the
attempts for the desk and admins), everything else for any authenticated role.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable

import httpx
import pytest
from fastapi import FastAPI

import api.auth
import api.identity
import api.services.bookings
from api.auth import TokenAuthority
from api.settings import ApiSettings
from api.testing import DEV_TOKENS, client_for
from tests.api.support import BIRTH, CALLER, PASSPORT, hold_and_book

ROLES = ("ivr", "operator", "desk", "admin")


def allowed_roles(path: str) -> set[str | None]:
    if path.startswith("/admin/"):
        return {"admin"}
    if path.startswith("/operator/"):
        return {"operator", "admin"}
    if path.startswith("/desk/"):
        return {"desk", "admin"}
    if path == "/healthz":
        return {None, *ROLES}
    if path == "/outbound/attempts":  # what the desk page shows
        return {"desk", "admin"}
    if path.startswith("/outbound/"):  # the call engine's outbound job and the notice flow
        return {"ivr", "admin"}
    return set(ROLES)


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every operation of the app, from its OpenAPI description."""
    paths: dict[str, dict[str, object]] = app.openapi()["paths"]
    return [(method.upper(), path) for path, item in paths.items() for method in sorted(item)]


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


async def test_each_role_reaches_only_its_endpoints(app: FastAPI) -> None:
    routes = _routes(app)
    assert len(routes) >= 20
    seen: dict[tuple[str, str], dict[str | None, int]] = {}
    for role in (None, *ROLES):
        async with client_for(app, DEV_TOKENS[role] if role else None) as client:
            for method, path in routes:
                response = await client.request(method, _concrete(path), json={})
                seen.setdefault((method, path), {})[role] = response.status_code
                allowed = role in allowed_roles(path)
                if allowed:
                    assert response.status_code not in (401, 403), (role, method, path)
                else:
                    expected = 401 if role is None else 403
                    assert response.status_code == expected, (role, method, path)
                    error = "unauthorized" if role is None else "forbidden"
                    assert response.json()["error_id"] == error
    admin_only = [key for key, codes in seen.items() if codes["operator"] == 403]
    assert ("POST", "/admin/closures") in admin_only


async def test_a_booking_is_read_or_cancelled_only_with_its_number_or_identity(
    ivr: httpx.AsyncClient,
) -> None:
    booking = await hold_and_book(ivr)
    path = f"/bookings/{booking['reference']}"
    other = "+420777000111"
    refusals = [
        await ivr.get(path, params={"caller_number": other}),
        await ivr.get(path, params={"passport_digits": "87654321", "birth_date": BIRTH}),
        await ivr.get(path, params={"passport_digits": PASSPORT, "birth_date": "1990-05-18"}),
        await ivr.post(f"{path}/cancel", json={"caller_number": other}),
        await ivr.post(
            f"{path}/cancel", json={"passport_digits": PASSPORT, "birth_date": "1991-05-17"}
        ),
    ]
    for refused in refusals:
        assert refused.status_code == 404
        assert refused.json()["error_id"] == "booking-not-found"
        assert CALLER not in refused.text and "starts_at" not in refused.text
    no_proof = await ivr.get(path)
    assert no_proof.json()["error_id"] == "validation-error"
    assert (await ivr.get("/bookings", params={"caller_number": other})).json() == []
    still = await ivr.get(path, params={"caller_number": CALLER})
    assert still.json()["status"] == "confirmed"
    by_identity = await ivr.get(path, params={"passport_digits": PASSPORT, "birth_date": BIRTH})
    assert by_identity.json()["reference"] == booking["reference"]
    cancelled = await ivr.post(
        f"{path}/cancel", json={"passport_digits": PASSPORT, "birth_date": BIRTH}
    )
    assert cancelled.json()["status"] == "cancelled"


def _spy(monkeypatch: pytest.MonkeyPatch, module: object) -> list[tuple[bytes, bytes]]:
    calls: list[tuple[bytes, bytes]] = []
    real: Callable[..., bool] = hmac.compare_digest

    def spy(left: bytes, right: bytes) -> bool:
        calls.append((left, right))
        return real(left, right)

    monkeypatch.setattr(module, "hmac", type("hmac", (), {"compare_digest": staticmethod(spy),
                                                           "new": staticmethod(hmac.new)}))
    return calls


@pytest.mark.parametrize("presented", ["ivr-a", "admin-b", "ivr-", "nothing-like-it"])
def test_tokens_are_compared_in_constant_time_against_every_token(
    monkeypatch: pytest.MonkeyPatch, presented: str
) -> None:
    calls = _spy(monkeypatch, api.auth)
    settings = ApiSettings(
        ivr_tokens=["ivr-a", "ivr-b"],
        operator_tokens=["operator-a"],
        desk_tokens=["desk-a"],
        admin_tokens=["admin-b"],
    )
    authority = TokenAuthority(settings)
    try:
        authority.authenticate(f"Bearer {presented}")
    except api.auth.Unauthorized:
        assert presented in {"ivr-", "nothing-like-it"}
    # every configured token is compared, whichever matched first: no early exit to time
    assert len(calls) == 5
    assert all(right == presented.encode() for _, right in calls)


def test_identity_fingerprints_are_compared_in_constant_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _spy(monkeypatch, api.identity)
    assert api.identity.same_fingerprint("ab" * 32, "ab" * 32)
    assert not api.identity.same_fingerprint("ab" * 32, "ac" * 32)
    assert len(calls) == 2


async def test_caller_numbers_proving_a_booking_are_compared_in_constant_time(
    ivr: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    booking = await hold_and_book(ivr)
    calls = _spy(monkeypatch, api.services.bookings)
    path = f"/bookings/{booking['reference']}"
    assert (await ivr.get(path, params={"caller_number": CALLER})).status_code == 200
    assert (await ivr.get(path, params={"caller_number": "+420777000111"})).status_code == 404
    assert calls == [(CALLER.encode(), CALLER.encode()), (b"+420777000111", CALLER.encode())]
