"""What every fuzzed request must satisfy (test_api_fuzz.py)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from api.testing import DEV_TOKENS

FUZZ_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# A valid ``days`` up to 800 makes each call seconds long; its validation is tested elsewhere.
SLOW_PATHS = ["/admin/materialise"]


def check_every_role(case: schemathesis.Case) -> None:
    """The case sent with each role's token and with none: no 5xx, every refusal an error_id."""
    for role in ("ivr", "admin", None):
        headers = dict(case.headers or {})
        if role is not None:
            headers["Authorization"] = f"Bearer {DEV_TOKENS[role]}"
        response = case.call(headers=headers)
        assert response.status_code < 500, (role, case.method, case.path, response.text)
        if response.status_code >= 400:
            body = response.json()
            assert isinstance(body, dict) and body.get("error_id"), (case.path, response.text)
            assert set(body) == {"error_id", "message", "details"}
