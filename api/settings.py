"""Settings of the slot service (pydantic-settings, environment prefix ``SLOTS_``).

The settings object is built once by the caller (CLI, tests, the call engine) and handed to
``api.app.create_app(settings)``; nothing in ``api`` reads the environment on its own.

Tokens are ``SecretStr`` so that a logged or printed settings object never shows them.
Lists and mappings come from the environment as JSON, e.g.
``SLOTS_IVR_TOKENS='["t1","t2"]'``, ``SLOTS_HOLD_TTL_SECONDS='{"phone": 90}'``,
``SLOTS_POLICY__MIN_HOURS_AHEAD=24``.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SEED_FILE = Path(__file__).parent / "seed" / "seed.toml"


class Role(StrEnum):
    ivr = "ivr"
    operator = "operator"
    admin = "admin"


class Channel(StrEnum):
    """Who books: the phone menu, a call-centre operator, or the office counter."""

    phone = "phone"
    operator = "operator"
    counter = "counter"


CHANNEL_OF_ROLE: dict[Role, Channel] = {
    Role.ivr: Channel.phone,
    Role.operator: Channel.operator,
    Role.admin: Channel.counter,
}


class PolicySettings(BaseModel):
    """The booking rules (defaults after the ministry's 2017 Foreigners Reservation System)."""

    max_active_per_identity_and_visit_type: int = Field(default=1, ge=1)
    max_bookings_per_identity: int = Field(default=3, ge=1)
    identity_window_days: int = Field(default=60, ge=1)
    min_hours_ahead: float = Field(default=2.0, ge=0)
    max_holds_per_caller_per_hour: int = Field(default=30, ge=1)
    borrow_window_hours: float = Field(
        default=48.0,
        ge=0,
        description="inside this time before a slot, a channel may use other channels' seats",
    )


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLOTS_", env_nested_delimiter="__")

    database_url: str = "sqlite+aiosqlite:///build/slots.sqlite3"
    database_pool_size: int = Field(default=20, ge=1)
    ivr_tokens: list[SecretStr] = Field(default_factory=lambda: [SecretStr("ivr-dev-token")])
    operator_tokens: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("operator-dev-token")]
    )
    admin_tokens: list[SecretStr] = Field(default_factory=lambda: [SecretStr("admin-dev-token")])
    identity_key: SecretStr = Field(
        default=SecretStr("dev-identity-key"),
        description="HMAC key for identity fingerprints; passport digits are never stored",
    )
    hold_ttl_seconds: dict[Channel, int] = Field(
        default_factory=lambda: {Channel.phone: 120, Channel.operator: 600, Channel.counter: 600}
    )
    horizon_days: int = Field(default=60, ge=1)
    timezone: str = "Europe/Prague"
    seed_file: Path = DEFAULT_SEED_FILE
    policy: PolicySettings = Field(default_factory=PolicySettings)

    def hold_ttl(self, channel: Channel) -> int:
        return self.hold_ttl_seconds.get(channel, 120)
