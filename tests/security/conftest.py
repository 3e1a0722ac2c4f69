"""The slot-service fixtures of tests/api (an app per test on a copy of the session's
template database, clients per role)."""

from tests.api.conftest import admin, app, clock, ivr, operator, slots_template

__all__ = ["admin", "app", "clock", "ivr", "operator", "slots_template"]
