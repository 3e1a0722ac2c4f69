"""Settings of the AMI bridge (pydantic-settings, environment prefix ``IVR_AMI_``).

The defaults match the ``[ivr]`` user of ``dialplans/manager.conf`` on loopback.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class AmiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IVR_AMI_")

    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "ivr"
    secret: SecretStr = SecretStr("ivr-dev-secret")
    events: str = Field(default="call,agent,user", description="event classes asked at login")
    connect_timeout_seconds: float = Field(default=5.0, gt=0)
    action_timeout_seconds: float = Field(default=5.0, gt=0)
    ping_interval_seconds: float = Field(default=10.0, gt=0)
    ping_timeout_seconds: float = Field(default=3.0, gt=0)
    reconnect_initial_seconds: float = Field(default=0.5, gt=0)
    reconnect_max_seconds: float = Field(
        default=5.0, gt=0, description="backoff ceiling: a restarted Asterisk is found within it"
    )
    ivr_context: str = Field(default="ivr-in", description="dialplan context where calls enter")
    callback_context: str = Field(
        default="ivr-callback", description="context dialled with the caller number on callback"
    )
    originate_timeout_seconds: float = Field(default=30.0, gt=0)
