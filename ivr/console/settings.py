"""Settings of the operator console (pydantic-settings, environment prefix ``IVR_CONSOLE_``).

Operators come as JSON, e.g.
``IVR_CONSOLE_OPERATORS='{"anna": {"password": "…", "interface": "PJSIP/operator1"}}'``;
the interface is the operator's phone as the queues know it (``AgentConnect``'s ``Interface``).
The defaults are the two development phones of ``dialplans/pjsip.conf``.
"""

from __future__ import annotations

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
