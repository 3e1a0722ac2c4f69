"""The slot-service fixtures of tests/api (an app per test on a copy of the session's
template database, ``slots_template`` of tests/conftest.py, clients per role)."""

from tests.api.conftest import admin, app, clock, desk, ivr, operator

__all__ = ["admin", "app", "clock", "desk", "ivr", "operator"]
