"""Database errors become service errors in one step (``api.statements.service_error``).

Values PostgreSQL refuses (SQLSTATE class 22) are the request's fault: 422, never a 500.
Found by fuzzing the API: a NUL character passes every validator (it is a valid JSON and URL
character) but PostgreSQL cannot store or compare it in a text.
"""

from __future__ import annotations

import asyncpg
import pytest
from fastapi import FastAPI

from api.errors import DatabaseUnavailable, InvalidRequest, ServiceError, UniqueViolation
from api.statements import service_error
from api.testing import DEV_TOKENS, client_for


async def test_a_nul_character_is_a_validation_error(app: FastAPI) -> None:
    async with client_for(app, DEV_TOKENS["admin"]) as admin:
        responses = [
            await admin.get("/availability", params={"office": "kladno\x00", "visit_type": "x"}),
            await admin.get("/offices/a%00b/visit-types"),
            await admin.get("/admin/closures", params={"office": "\x00"}),
            await admin.post("/admin/closures", json={
                "office": "kladno", "date": "2030-01-07", "reason": "flood\x00"}),
            await admin.post("/bookings", json={
                "hold_id": "h\x00", "caller_number": "+420777123456", "language": "cs",
                "passport_digits": "1234", "birth_date": "1990-01-01"}),
        ]
        healthy = await admin.get("/healthz")
    for response in responses:
        assert response.status_code == 422, response.text
        body = response.json()
        assert body["error_id"] == "validation-error"
        assert body["details"]["sqlstate"].startswith("22")
    assert healthy.status_code == 200  # the pool's connections survived


def unique_violation(constraint: str) -> asyncpg.UniqueViolationError:
    error = asyncpg.exceptions.UniqueViolationError("duplicate key value")
    error.constraint_name = constraint
    return error


@pytest.mark.parametrize(
    ("error", "expected", "details"),
    [
        # seen by the PostgreSQL restart fault test: "the database system is starting up"
        (asyncpg.exceptions.CannotConnectNowError("starting up"), DatabaseUnavailable,
         {"sqlstate": "57P03"}),
        (asyncpg.exceptions.AdminShutdownError("terminating"), DatabaseUnavailable,
         {"sqlstate": "57P01"}),
        (asyncpg.exceptions.ConnectionFailureError("lost"), DatabaseUnavailable,
         {"sqlstate": "08006"}),
        (asyncpg.exceptions.TooManyConnectionsError("full"), DatabaseUnavailable,
         {"sqlstate": "53300"}),
        (asyncpg.exceptions.ConnectionDoesNotExistError("closed"), DatabaseUnavailable,
         {"sqlstate": "08003"}),
        (asyncpg.exceptions.InternalClientError("another operation"), DatabaseUnavailable,
         {"reason": "InternalClientError"}),
        (ConnectionResetError(), DatabaseUnavailable, {"reason": "ConnectionResetError"}),
        (TimeoutError(), DatabaseUnavailable, {"reason": "TimeoutError"}),
        (asyncpg.exceptions.CharacterNotInRepertoireError("NUL"), InvalidRequest,
         {"sqlstate": "22021"}),
        (asyncpg.exceptions.StringDataRightTruncationError("too long"), InvalidRequest,
         {"sqlstate": "22001"}),
        (unique_violation("bookings_reference_key"), UniqueViolation,
         {"constraint": "bookings_reference_key"}),
    ],
)
def test_database_errors_become_service_errors(
    error: Exception, expected: type[ServiceError], details: dict[str, str]
) -> None:
    translated = service_error(error)
    assert type(translated) is expected
    assert translated.details == details


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.UndefinedTableError("no table"),  # a bug: a 500, not hidden
        asyncpg.exceptions.ForeignKeyViolationError("no office"),
        ValueError("not the database's"),
    ],
)
def test_other_errors_are_not_hidden(error: Exception) -> None:
    assert service_error(error) is None
