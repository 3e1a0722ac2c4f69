"""Settings of the operator console (pydantic-settings, environment prefix ``IVR_CONSOLE_``).

Operators come as JSON, e.g.
``IVR_CONSOLE_OPERATORS='{"anna": {"password": "…", "interface": "PJSIP/operator1"}}'``;
the interface is the operator's phone as the queues know it (``AgentConnect``'s ``Interface``).
The defaults are the two development phones of ``dialplans/pjsip.conf``.

The desk page (``/desk``, ``ivr.console.desk``) has its own users, e.g.
``IVR_CONSOLE_DESK_USERS='{"eva": {"password": "…", "admin": false}}'``; an admin desk user
also closes offices, changes capacity and sees the no-show rates. The console calls the slot
service for them with ``IVR_CONSOLE_DESK_SLOTS_TOKEN`` (the desk role) or, for admins,
``IVR_CONSOLE_DESK_ADMIN_SLOTS_TOKEN`` (the admin role).
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class OperatorAccount(BaseModel):
    password: SecretStr
    interface: str
    display_name: str = ""


def _dev_operators() -> dict[str, OperatorAccount]:
    return {
        f"operator{n}": OperatorAccount(
            password=SecretStr(f"operator{n}-dev-password"),
            interface=f"PJSIP/operator{n}",
            display_name=f"Operator {n}",
        )
        for n in (1, 2)
    }


class DeskAccount(BaseModel):
    password: SecretStr
    admin: bool = False
    display_name: str = ""


def _dev_desk_users() -> dict[str, DeskAccount]:
    return {
        "desk1": DeskAccount(password=SecretStr("desk1-dev-password"), display_name="Desk 1"),
        "deskadmin": DeskAccount(
            password=SecretStr("deskadmin-dev-password"), admin=True, display_name="Desk admin"
        ),
    }


Account = TypeVar("Account", OperatorAccount, DeskAccount)


def authenticated(accounts: Mapping[str, Account], username: str, password: str) -> Account | None:
    """The account if ``password`` is its password. Compared in constant time, as bytes
    (``compare_digest`` refuses non-ASCII ``str``); an unknown user is compared against the
    empty password, so the time taken does not tell which user names exist."""
    account = accounts.get(username)
    expected = account.password.get_secret_value() if account else ""
    matches = hmac.compare_digest(password.encode(), expected.encode())
    return account if matches and account is not None else None


class ConsoleSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IVR_CONSOLE_", env_nested_delimiter="__")

    host: str = "127.0.0.1"
    port: int = 8090
    session_secret: SecretStr = SecretStr("console-dev-session-secret")
    session_max_age_seconds: int = Field(default=12 * 3600, gt=0)
    operators: dict[str, OperatorAccount] = Field(default_factory=_dev_operators)
    slots_base_url: str = "http://127.0.0.1:8080"
    slots_token: SecretStr = SecretStr("operator-dev-token")
    slots_timeout_seconds: float = Field(default=5.0, gt=0)
    earliest_slots: int = Field(default=5, ge=1, le=50)
    keepalive_seconds: float = Field(default=15.0, gt=0)
    timezone: str = "Europe/Prague"
    desk_users: dict[str, DeskAccount] = Field(default_factory=_dev_desk_users)
    desk_slots_token: SecretStr = SecretStr("desk-dev-token")
    desk_admin_slots_token: SecretStr = SecretStr("admin-dev-token")
    desk_refresh_seconds: float = Field(
        default=5.0, gt=0, description="how often the desk page reloads the day"
    )
