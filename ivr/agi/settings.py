"""Settings of the AGI transport (env prefix `IVR_AGI_`), passed to the server and the classic
entry point by whoever builds them; nothing reads them as a module global.

Errors: pydantic's `ValidationError` for an invalid value (e.g. a malformed CIDR).
"""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

_LOOPBACK: list[IPv4Network | IPv6Network] = [IPv4Network("127.0.0.0/8"), IPv6Network("::1/128")]


class AgiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IVR_AGI_")

    host: str = "127.0.0.1"
    port: int = 4573
    allowed_peers: list[IPv4Network | IPv6Network] = Field(
        default_factory=lambda: list(_LOOPBACK),
        description="Asterisk hosts allowed to connect (FastAGI has no authentication)",
    )
    max_concurrent_calls: int = Field(default=2000, ge=1)
    listen_backlog: int = Field(
        default=1024, ge=1, description="pending connections the kernel queues (calls in a burst)"
    )
    header_timeout_s: float = Field(
        default=5.0, gt=0, description="time allowed for the agi_* block after connecting"
    )
    command_timeout_s: float = Field(
        default=10.0, gt=0, description="wait for the reply to a command that plays nothing"
    )
    media_timeout_s: float = Field(
        default=300.0, gt=0, description="wait for STREAM FILE, GET DATA, EXEC (plus input time)"
    )
    timeout_check_interval_s: float = Field(
        default=0.25, gt=0, description="how often overdue replies are looked for (granularity)"
    )
    shutdown_grace_s: float = Field(
        default=30.0, ge=0, description="on SIGTERM, how long calls in progress may continue"
    )
    metrics_port: int = Field(default=0, ge=0, description="Prometheus HTTP port; 0: off")
    routes: dict[str, str] = Field(
        default_factory=dict,
        description="route name -> 'package.module:factory' (see ivr.agi.routing), added to the"
        " routes that whoever starts the transport names itself",
    )
