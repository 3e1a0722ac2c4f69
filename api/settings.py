"""Settings of the slot service (pydantic-settings, environment prefix ``SLOTS_``).

The settings object is built once by the caller (CLI, tests, the call engine) and handed to
``api.app.create_app(settings)``; nothing in ``api`` reads the environment on its own.

The database is PostgreSQL, named by ``SLOTS_DATABASE_URL``
(``postgresql+asyncpg://user@host:port/db``). Left empty it is the embedded server of
``api.embedded`` (data in ``build/postgres``, 127.0.0.1, port ``SLOTS_EMBEDDED__PORT``), which
the ``slot-service`` commands start when they need it: the default for ``make demo`` and
development, never for production.

Tokens are ``SecretStr`` so that a logged or printed settings object never shows them.
Lists and mappings come from the environment as JSON, e.g.
``SLOTS_IVR_TOKENS='["t1","t2"]'``, ``SLOTS_HOLD_TTL_SECONDS='{"phone": 90}'``,
``SLOTS_POLICY__MIN_HOURS_AHEAD=24``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.outbound_rules import CALLING_FROM, CALLING_UNTIL, OperatorHours

DEFAULT_SEED_FILE = Path(__file__).parent / "seed" / "seed.toml"


class Role(StrEnum):
    ivr = "ivr"
    operator = "operator"
    desk = "desk"
    admin = "admin"


class Channel(StrEnum):
    """Who books: the phone menu, a call-centre operator, or the office counter."""

    phone = "phone"
    operator = "operator"
    counter = "counter"


CHANNEL_OF_ROLE: dict[Role, Channel] = {
    Role.ivr: Channel.phone,
    Role.operator: Channel.operator,
    Role.desk: Channel.counter,
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


class OutboundSettings(BaseModel):
    """Outbound calls (reminders, closure notices): how many at once and how often to retry.
    The calling window (08:00-20:00 Europe/Prague, no public holiday) is a rule, not a setting
    (``api.outbound_rules``)."""

    max_concurrent_calls: int = Field(default=4, ge=1, le=100)
    max_attempts: int = Field(
        default=3, ge=1, le=3, description="the first call and at most two retries"
    )
    retry_delay_minutes: int = Field(default=30, ge=1)
    operator_hours_opens: dt.time = Field(
        default=dt.time(8, 0),
        description="retries only within operator hours, on working days: their opening "
        "(the dialplan's IVR_OPERATOR_HOURS, 08:00-17:00 mon-fri)",
    )
    operator_hours_closes: dt.time = Field(default=dt.time(17, 0))

    @model_validator(mode="after")
    def _operator_hours_inside_the_calling_window(self) -> OutboundSettings:
        if not CALLING_FROM <= self.operator_hours_opens < self.operator_hours_closes \
                <= CALLING_UNTIL:
            raise ValueError(
                "operator hours for retries must open before they close, within the calling "
                f"window {CALLING_FROM:%H:%M}-{CALLING_UNTIL:%H:%M}"
            )
        return self

    @property
    def retry_hours(self) -> OperatorHours:
        return OperatorHours(opens=self.operator_hours_opens, closes=self.operator_hours_closes)
    call_timeout_minutes: int = Field(
        default=20,
        ge=1,
        description="an attempt without an outcome for this long is counted as failed (the job "
        "that placed it was lost), so that it neither blocks a seat of the concurrency limit "
        "nor leaves the notice without a retry",
    )


class EmbeddedDatabaseSettings(BaseModel):
    """The embedded PostgreSQL of ``api.embedded`` (demo and development)."""

    data_dir: Path = Field(
        default=Path("build/postgres"), description="its data folder (created by initdb once)"
    )
    port: int = Field(default=5433, ge=1, le=65535, description="TCP port on 127.0.0.1")
    database: str = Field(default="slots", pattern=r"^[a-z_][a-z0-9_]*$")
    system_user: str = Field(
        default="ivr-postgres",
        description="PostgreSQL refuses to run as root: run as root, the server runs as this "
        "unprivileged system user (created if missing)",
    )
    start_timeout_s: float = Field(default=30, gt=0)

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{self.database}"


class ApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SLOTS_", env_nested_delimiter="__")

    database_url: str = Field(
        default="", description="PostgreSQL (postgresql+asyncpg://…); empty: the embedded one"
    )
    embedded: EmbeddedDatabaseSettings = Field(default_factory=EmbeddedDatabaseSettings)
    database_pool_size: int = Field(default=20, ge=1)
    ivr_tokens: list[SecretStr] = Field(default_factory=lambda: [SecretStr("ivr-dev-token")])
    operator_tokens: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("operator-dev-token")]
    )
    desk_tokens: list[SecretStr] = Field(
        default_factory=lambda: [SecretStr("desk-dev-token")],
        description="the office desk (day lists, check-in); closures and capacity are admin's",
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
    outbound: OutboundSettings = Field(default_factory=OutboundSettings)

    @model_validator(mode="after")
    def _embedded_by_default(self) -> ApiSettings:
        if not self.database_url:
            self.database_url = self.embedded.url
        return self

    @property
    def uses_embedded_database(self) -> bool:
        """The database is the embedded server's (started by the commands that need it)."""
        return self.database_url == self.embedded.url

    def hold_ttl(self, channel: Channel) -> int:
        return self.hold_ttl_seconds.get(channel, 120)
