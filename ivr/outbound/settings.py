"""Settings of ``ivr outbound-calls`` (environment prefix ``IVR_OUTBOUND_``; AMI's own are
``IVR_AMI_*``, the slot service's ``IVR_SLOTS_*``).

Errors: pydantic's ``ValidationError`` for a value out of range.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class OutboundCallSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IVR_OUTBOUND_", frozen=True)

    context: str = Field(default="ivr-notice", description="dialplan context of a notice")
    channel: str = Field(
        default="PJSIP/{number}@trunk",
        description="the channel dialled, {number} replaced by the caller's number",
    )
    caller_id: str = Field(
        default="+420974820680", description="the number callers see: the booking line's own"
    )
    ring_seconds: float = Field(default=40.0, gt=0, description="ringing before 'no answer'")
    call_max_seconds: float = Field(
        default=900.0, gt=0, description="an answered call's longest wait for its outcome"
    )
