"""The slot-service fixtures of tests/api (an app per test on a copy of the session's
template database, clients per role); ``slots_template`` itself comes from tests/conftest.py."""

from tests.api.conftest import admin, app, clock, ivr, operator

__all__ = ["admin", "app", "clock", "ivr", "operator"]
