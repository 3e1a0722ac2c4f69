"""The slot-service fixtures of tests/api (a seeded SQLite app per test, clients per role)."""

from tests.api.conftest import admin, app, clock, ivr, operator, template_db

__all__ = ["admin", "app", "clock", "ivr", "operator", "template_db"]
